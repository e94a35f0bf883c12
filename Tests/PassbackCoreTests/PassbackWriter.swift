import CLibXML2
import Foundation

@testable import PassbackCore

/// The test reference for the passback XML: libxml2's `xmlTextWriter`, which the project used to
/// write with, and which ``PassbackXMLBuffer`` must match byte for byte (`PassbackWriterTests`).
/// It is not a production path: the buffer writes the same bytes for about 5 CPU-seconds less
/// on a 2,000-course bulk run (docs/PERFORMANCE.md).
///
/// Writes one Aspire passback XML file (spec section 5.1), streaming: ``begin(_:)`` once,
/// ``write(_:)`` for each section, ``finish()``. Only the section being written is in memory, so
/// a file of a million results takes no more memory than a file of ten.
///
/// The output is UTF-8, indented by two spaces, with exactly the element and attribute names of
/// `schemas/aspire-passback-1.xsd`. Beyond what the schema can say, the writer guarantees that an
/// active result has a score status and a score date, that a deletion (`tobedeleted`) carries only
/// its `StudentSourcedId`, and that an exempt result has no `Score`.
///
/// Why libxml2's `xmlTextWriter`: it does the escaping of text and attribute values (`&`, `<`,
/// `>`, quotes, line breaks in attributes), which is where hand-written XML goes wrong, and it is
/// fast enough (about 1 s per million results on the project's machine; Foundation's
/// `XMLDocument` took 13 s and 1.8 GB). The writer checks that every value consists of characters
/// XML 1.0 allows, because libxml2 would write a control character as it is and make the file
/// unreadable.
///
/// Every libxml2 return code is checked; the first failure throws ``PassbackWriterError`` and the
/// file must then be discarded. Bytes reach the file through ``PassbackOutputFile``, which
/// ``finish()`` closes (the pipeline syncs it to disk when it publishes it); validate the file
/// (``SchemaValidator/passback``) only after ``finish()``.
final class PassbackWriter {
    /// The file being written.
    let path: String
    private let file: PassbackOutputFile
    private var writer: xmlTextWriterPtr?
    private var stage = Stage.created
    private var sectionCount = 0
    private let log = XMLErrorLog()

    private enum Stage {
        case created, begun, finished, failed
    }

    /// The namespace of the passback schema.
    static let namespace = "urn:aspire-passback:1"

    /// Creates (or truncates) the file at `path`.
    /// - Throws: ``PassbackWriterError`` when the file cannot be created.
    init(path: String) throws {
        self.path = path
        file = try PassbackOutputFile(path: path)
        let output: xmlOutputBufferPtr? = LibXML2.withErrors(collectedIn: log) {
            xmlOutputBufferCreateIO(
                { context, buffer, length in
                    guard let context, let buffer, length >= 0 else { return -1 }
                    let file = Unmanaged<PassbackOutputFile>.fromOpaque(context).takeUnretainedValue()
                    return file.append(UnsafeRawBufferPointer(start: buffer, count: Int(length))) ? length : -1
                },
                { context in
                    guard let context else { return -1 }
                    return Unmanaged<PassbackOutputFile>.fromOpaque(context).takeUnretainedValue().closeFile() ? 0 : -1
                },
                Unmanaged.passUnretained(file).toOpaque(),
                nil
            )
        }
        guard let output else {
            throw PassbackWriterError("libxml2 could not set up output to \(path)")
        }
        guard let writer = LibXML2.withErrors(collectedIn: log, { xmlNewTextWriter(output) }) else {
            LibXML2.withErrors(collectedIn: log) { _ = xmlOutputBufferClose(output) }
            throw PassbackWriterError("libxml2 could not create a writer for \(path)")
        }
        self.writer = writer
        try perform("set up indentation") { writer in
            try check(xmlTextWriterSetIndent(writer, 1), "indentation")
            try LibXML2.withXMLString("  ") { try check(xmlTextWriterSetIndentString(writer, $0), "indentation") }
        }
    }

    /// Writes the XML declaration and the `GradePassback` start tag with the run's attributes.
    /// - Throws: ``PassbackWriterError``; also when called twice.
    func begin(_ header: PassbackHeader) throws {
        guard stage == .created else {
            throw PassbackWriterError("begin(_:) called twice on the writer of \(path)")
        }
        try perform("the document start") { writer in
            try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil), "the XML declaration")
            try startElement(writer, "GradePassback")
            try attribute(writer, "xmlns", Self.namespace)
            try attribute(writer, "schemaVersion", "1")
            try attribute(writer, "runId", header.runID)
            try attribute(writer, "mode", header.mode.rawValue)
            try attribute(writer, "generatedAt", ISOTimestamp.format(header.generatedAt))
        }
        stage = .begun
    }

    /// Writes one `Section` with its line items and results.
    /// - Throws: ``PassbackWriterError`` on I/O failure, on a value with characters XML cannot
    ///   carry, on an active result without score status or score date, or when called before
    ///   ``begin(_:)`` or after ``finish()``.
    func write(_ section: PassbackSection) throws {
        guard stage == .begun else {
            throw PassbackWriterError("write(_:) called \(stage == .created ? "before begin(_:)" : "after finish() or a failure") on the writer of \(path)")
        }
        try perform("section \(section.classSourcedID)") { writer in
            try startElement(writer, "Section")
            try attribute(writer, "classSourcedId", section.classSourcedID)
            try attribute(writer, "termSourcedId", section.termSourcedID)
            try attribute(writer, "schoolId", section.schoolID)
            try attribute(writer, "canvasCourseId", section.canvasCourseID)
            try attribute(writer, "canvasSectionId", section.canvasSectionID)
            for lineItem in section.lineItems {
                try write(lineItem, with: writer)
            }
            try endElement(writer, "Section")
        }
        sectionCount += 1
    }

    /// Closes every open element, flushes, frees libxml2's writer (which writes its last bytes),
    /// and closes the file.
    /// - Throws: ``PassbackWriterError`` on I/O failure, or when no section was written (the
    ///   schema requires one).
    func finish() throws {
        guard stage == .begun else {
            throw PassbackWriterError("finish() called \(stage == .created ? "before begin(_:)" : "twice or after a failure") on the writer of \(path)")
        }
        guard sectionCount > 0 else {
            stage = .failed
            release()
            throw PassbackWriterError("\(path) has no Section; a passback file needs at least one")
        }
        try perform("the document end") { writer in
            try check(xmlTextWriterEndDocument(writer), "the document end")
            try check(xmlTextWriterFlush(writer), "the last bytes")
        }
        release()
        if let failure = file.failure {
            stage = .failed
            throw PassbackWriterError(failure)
        }
        stage = .finished
    }

    deinit {
        release()
    }

    // MARK: - Writing

    private func write(_ lineItem: PassbackLineItem, with writer: xmlTextWriterPtr) throws {
        try startElement(writer, "LineItem")
        try attribute(writer, "sourcedId", lineItem.sourcedID)
        try attribute(writer, "status", lineItem.status.rawValue)
        try element(writer, "Title", lineItem.title)
        try element(writer, "CategorySourcedId", lineItem.categorySourcedID)
        try element(writer, "AssignDate", lineItem.assignDate.description)
        try element(writer, "DueDate", lineItem.dueDate.description)
        try element(writer, "ResultValueMin", lineItem.resultValueMin.description)
        try element(writer, "ResultValueMax", lineItem.resultValueMax.description)
        for result in lineItem.results {
            try write(result, with: writer)
        }
        try endElement(writer, "LineItem")
    }

    private func write(_ result: PassbackResult, with writer: xmlTextWriterPtr) throws {
        try startElement(writer, "Result")
        try attribute(writer, "sourcedId", result.sourcedID)
        try attribute(writer, "status", result.status.rawValue)
        try element(writer, "StudentSourcedId", result.studentSourcedID)
        if result.status == .active {
            guard let scoreStatus = result.scoreStatus, let scoreDate = result.scoreDate else {
                throw PassbackWriterError(
                    "result \(result.sourcedID) is active but has no \(result.scoreStatus == nil ? "score status" : "score date"); only a deletion may leave them out")
            }
            try element(writer, "ScoreStatus", scoreStatus.rawValue)
            if scoreStatus != .exempt, let score = result.score {
                try element(writer, "Score", score.description)
            }
            try element(writer, "ScoreDate", scoreDate.description)
        }
        try endElement(writer, "Result")
    }

    private func startElement(_ writer: xmlTextWriterPtr, _ name: String) throws {
        try LibXML2.withXMLString(name) { try check(xmlTextWriterStartElement(writer, $0), "<\(name)>") }
    }

    private func endElement(_ writer: xmlTextWriterPtr, _ name: String) throws {
        try check(xmlTextWriterEndElement(writer), "</\(name)>")
    }

    private func attribute(_ writer: xmlTextWriterPtr, _ name: String, _ value: String) throws {
        try requireXMLCharacters(value, name)
        try LibXML2.withXMLString(name) { name in
            try LibXML2.withXMLString(value) { value in
                try check(xmlTextWriterWriteAttribute(writer, name, value), "attribute \(String(cString: name))")
            }
        }
    }

    private func element(_ writer: xmlTextWriterPtr, _ name: String, _ content: String) throws {
        try requireXMLCharacters(content, name)
        try LibXML2.withXMLString(name) { name in
            try LibXML2.withXMLString(content) { content in
                try check(xmlTextWriterWriteElement(writer, name, content), "<\(String(cString: name))>")
            }
        }
    }

    /// XML 1.0's `Char`: tab, line feed, carriage return, and U+0020 up, except U+FFFE and U+FFFF
    /// (Swift strings hold no surrogates). libxml2's writer does not check.
    private func requireXMLCharacters(_ value: String, _ field: String) throws {
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if v >= 0x20 ? (v == 0xFFFE || v == 0xFFFF) : (v != 0x09 && v != 0x0A && v != 0x0D) {
                let code = String(v, radix: 16, uppercase: true)
                throw PassbackWriterError("\(field) '\(value.prefix(60))' contains U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code), which XML cannot carry")
            }
        }
    }

    // MARK: - libxml2 plumbing

    /// Runs `body` with the open writer, libxml2's messages collected; any failure marks the
    /// writer failed, so nothing more is written to a broken file.
    private func perform(_ what: String, _ body: (xmlTextWriterPtr) throws -> Void) throws {
        guard let writer else {
            throw PassbackWriterError("the writer of \(path) is closed")
        }
        do {
            try LibXML2.withErrors(collectedIn: log) { try body(writer) }
        } catch {
            stage = .failed
            throw error
        }
    }

    /// Throws when libxml2 reported failure (a negative status), with the most specific reason
    /// known: the file's I/O error, else libxml2's message.
    private func check(_ status: Int32, _ what: @autoclosure () -> String) throws {
        guard status < 0 else { return }
        if let failure = file.failure {
            throw PassbackWriterError(failure)
        }
        let detail = log.problems.last?.message ?? log.genericText.trimmingWhitespace()
        throw PassbackWriterError("libxml2 could not write \(what()) to \(path)\(detail.isEmpty ? "" : ": \(detail)")")
    }

    /// Frees libxml2's writer, which writes its last bytes and closes the file.
    private func release() {
        guard let writer else { return }
        self.writer = nil
        LibXML2.withErrors(collectedIn: log) { xmlFreeTextWriter(writer) }
    }
}
