import Foundation

/// The write stage's production form: the XML rendered by ``PassbackXMLBuffer`` (byte for byte
/// what libxml2's `xmlTextWriter`, ``PassbackWriter``, writes, several times faster) and the
/// streaming XSD check of ``SchemaValidator/passback`` (libxml2), which every file passes before
/// it is published.
struct PassbackFile: PassbackFileWriting {
    init() {}

    /// `PASSBACK_XML_WRITER=libxml2` writes with ``PassbackWriter`` instead (the same bytes,
    /// slower): for comparing the two (docs/PERFORMANCE.md).
    static let usesLibxml2Writer = ProcessInfo.processInfo.environment["PASSBACK_XML_WRITER"] == "libxml2"

    func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws {
        if Self.usesLibxml2Writer {
            let writer = try PassbackWriter(path: path)
            try writer.begin(header)
            for section in sections { try writer.write(section) }
            try writer.finish()
            return
        }
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
}

extension CategoryXMLReader: CategoryExportReading {}
