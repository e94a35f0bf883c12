import Foundation

/// The write stage's production form: the XML rendered by ``PassbackXMLBuffer`` (byte for byte
/// what libxml2's `xmlTextWriter` writes, several times faster; the tests keep a writer on
/// `xmlTextWriter` as the reference it is compared with) and the
/// streaming XSD check of ``SchemaValidator/passback`` (libxml2), which every file passes before
/// it is published.
struct PassbackFile: PassbackFileWriting {
    /// The most results of a section's file validated as one document (``PassbackValidationPlan``).
    let resultsPerValidatedPart: Int

    init(resultsPerValidatedPart: Int = PassbackValidationPlan.defaultResultsPerPart) {
        self.resultsPerValidatedPart = resultsPerValidatedPart
    }

    func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws {
        let file = try PassbackOutputFile(path: path)
        defer { file.closeFile() }
        guard !sections.isEmpty else {
            throw PassbackWriterError("\(path) has no Section; a passback file needs at least one")
        }
        var buffer = PassbackXMLBuffer()
        try buffer.begin(header)
        for section in sections {
            try buffer.write(section, flushingTo: file)
        }
        buffer.finish()
        try buffer.flush(to: file)
        guard file.closeFile() else { throw PassbackWriterError(file.failure ?? "cannot close \(path)") }
    }

    func validate(fileAt path: String) -> [String] {
        SchemaValidator.passback.validate(fileAt: path).map(\.description)
    }

    func begin(header: PassbackHeader, section: PassbackSection, at path: String) throws -> any PassbackSectionFile {
        try Stream(header: header, section: section, path: path, resultsPerValidatedPart: resultsPerValidatedPart)
    }

    /// One section's file written line item by line item, every 256 KiB handed to the file
    /// and, from the first such write on, validated while it is written
    /// (``ValidationWhileWriting``), as one document or in parts (``PassbackValidationPlan``); a
    /// file written in one go is validated after it is closed.
    final class Stream: PassbackSectionFile {
        private let file: PassbackOutputFile
        private var buffer = PassbackXMLBuffer()
        private var written = 0
        private let validation: ValidationWhileWriting
        private var ended = false

        init(header: PassbackHeader, section: PassbackSection, path: String, resultsPerValidatedPart: Int) throws {
            file = try PassbackOutputFile(path: path)
            do {
                try buffer.begin(header)
                try buffer.begin(section)
                let plan = PassbackValidationPlan(startLength: buffer.bytes.count, resultsPerPart: resultsPerValidatedPart)
                validation = try ValidationWhileWriting(path: path, schema: .passback, plan: plan)
            } catch {
                file.closeFile()
                ended = true
                throw error
            }
        }

        deinit {
            abandon()
        }

        func write(_ item: PassbackLineItem) throws {
            do {
                let start = written + buffer.bytes.count
                let results = try buffer.write(item)
                validation.wrote(
                    PassbackValidationPlan.LineItemSpan(
                        range: start..<(written + buffer.bytes.count), results: (written + results.lowerBound)..<(written + results.upperBound), resultCount: item.results.count))
                if buffer.bytes.count >= PassbackXMLBuffer.flushSize { try flush(validating: true) }
            } catch {
                abandon()
                throw error
            }
        }

        func finish() throws -> [String] {
            buffer.endSection()
            buffer.finish()
            do {
                try flush(validating: false)
            } catch {
                abandon()
                throw error
            }
            ended = true
            guard file.closeFile() else {
                validation.cancel()
                throw PassbackWriterError(file.failure ?? "cannot close \(file.path)")
            }
            return validation.finish(size: written).map(\.description)
        }

        func abandon() {
            guard !ended else { return }
            ended = true
            file.closeFile()
            validation.cancel()
        }

        /// Hands the waiting bytes to the file; `validating` starts the validation if it has not
        /// started (not for the last bytes: a small file is validated once closed).
        private func flush(validating: Bool) throws {
            let count = buffer.bytes.count
            try buffer.flush(to: file)
            written += count
            validation.wrote(upTo: written)
            if validating { validation.startReading() }
        }
    }
}

extension CategoryXMLReader: CategoryExportReading {}
