internal import CLibXML2
import Foundation

/// Reads an Aspire category export in its XML form (`*.categories.xml`, spec section 2.1),
/// which comes from outside the project and is treated as hostile.
///
/// libxml2's streaming reader (`xmlTextReader`) reads the file node by node, validating against
/// `schemas/aspire-categories-1.xsd` as it goes, so memory stays flat and the first problem stops
/// the read. Safety:
/// - the parser runs with `XML_PARSE_NONET` and without `NOENT`, `DTDLOAD`, `DTDATTR`,
///   `XINCLUDE` or `HUGE`: no entity is substituted, no DTD or other file is loaded, nothing is
///   fetched, libxml2's size limits stay on;
/// - any DOCTYPE is refused as soon as the reader meets it, before an entity could matter
///   (XXE, billion laughs and quadratic blow-ups all need one), as is any entity reference and
///   any nesting deeper than ``maximumDepth``;
/// - libxml2's messages are collected, never printed.
///
/// Each `Category`, with its `Term`'s attributes, goes through ``AspireCategoryFields`` (the
/// same checks as the CSV form). Every failure is an ``InputFileError`` with code
/// `malformed-file` and, where libxml2 or the reader knows it, the line.
package struct CategoryXMLReader: Sendable {
    /// The export's namespace.
    static let namespace = "urn:aspire-categories:1"
    /// The deepest element nesting accepted (the schema needs 3 levels).
    static let maximumDepth = 16

    /// Parser options for untrusted input: no network; line numbers past 65535 kept; no
    /// XInclude nodes (XInclude itself is off). Deliberately absent: `XML_PARSE_NOENT`,
    /// `XML_PARSE_DTDLOAD`, `XML_PARSE_DTDATTR`, `XML_PARSE_XINCLUDE`, `XML_PARSE_HUGE`,
    /// `XML_PARSE_RECOVER`.
    static let parserOptions = Int32(bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOXINCNODE.rawValue)

    package init() {}

    /// Reads the export at `path`.
    /// - Throws: ``InputFileError`` (`malformed-file`) for a file that cannot be read, is not
    ///   well-formed XML, declares a DOCTYPE, breaks the schema, or states a category wrongly or
    ///   twice.
    func read(fileAt path: String) throws -> AspireCategoryExport {
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size == 0 {
            throw Self.emptyFile
        }
        return try read(
            opening: { xmlReaderForFile(path, nil, Self.parserOptions) },
            doctypeLine: { Self.doctypeLine(in: Self.prefix(ofFileAt: path)) },
            encodingErrorLine: { Self.lineOfFirstInvalidUTF16(in: Self.prefix(ofFileAt: path, upTo: Self.encodingSearchLength)) }
        )
    }

    /// Reads an export held in memory.
    /// - Throws: ``InputFileError`` as ``read(fileAt:)`` does.
    package func read(bytes: [UInt8]) throws -> AspireCategoryExport {
        guard !bytes.isEmpty else { throw Self.emptyFile }
        guard bytes.count <= Int(Int32.max) else {
            throw InputFileError(.malformedFile, "The file is larger than 2 GB; no category export is that large.")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            try read(
                opening: {
                    xmlReaderForMemory(
                        UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count),
                        nil, nil, Self.parserOptions)
                },
                doctypeLine: { Self.doctypeLine(in: bytes.prefix(Self.doctypeSearchLength)) },
                encodingErrorLine: { Self.lineOfFirstInvalidUTF16(in: bytes.prefix(Self.encodingSearchLength)) }
            )
        }
    }

    private static let emptyFile = InputFileError(.malformedFile, "The file is empty; export the categories again from Aspire.", line: 1)

    // MARK: - The read loop

    private func read(opening open: () -> xmlTextReaderPtr?, doctypeLine: () -> Int?, encodingErrorLine: () -> Int?) throws -> AspireCategoryExport {
        let log = XMLErrorLog(hiding: Self.namespace, maximumProblems: 10)
        return try LibXML2.withErrors(collectedIn: log) {
            // Freed last: the reader uses it until it is freed itself.
            guard let validation = SchemaValidator.categories.makeValidationContext(reportingTo: log) else {
                throw InputFileError(.malformedFile, "libxml2 could not set up schema validation (out of memory?).")
            }
            defer { xmlSchemaFreeValidCtxt(validation) }

            guard let reader = open() else {
                throw Self.failure(from: log, fallback: "The file cannot be opened; is it missing or unreadable?")
            }
            var document: xmlDocPtr?
            defer {
                xmlFreeTextReader(reader)
                if let document { xmlFreeDoc(document) }
            }
            xmlTextReaderSetStructuredErrorHandler(reader, LibXML2.structuredErrorHandler, Unmanaged.passUnretained(log).toOpaque())
            guard xmlTextReaderSchemaValidateCtxt(reader, validation, 0) == 0 else {
                throw Self.failure(from: log, fallback: "libxml2 could not start schema validation.")
            }

            /// A DOCTYPE refusal, whoever noticed the DOCTYPE first.
            func doctypeError() -> InputFileError {
                InputFileError(.malformedFile, "The file has a DOCTYPE; category exports must not declare one. Export the categories again from Aspire.", line: doctypeLine())
            }

            var builder = CategoryExportBuilder()
            while true {
                let status = xmlTextReaderRead(reader)
                if status == 1, xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue) {
                    throw doctypeError()
                }
                if status < 0 || !log.isEmpty {
                    // An attack with a DOCTYPE can make the parser fail before the reader gets
                    // to report the DOCTYPE node; say what the real problem is.
                    document = xmlTextReaderCurrentDoc(reader)
                    if let document, document.pointee.intSubset != nil || document.pointee.extSubset != nil {
                        throw doctypeError()
                    }
                    throw Self.failure(from: log, fallback: "libxml2 stopped reading the file without saying why.", encodingErrorLine: encodingErrorLine)
                }
                if status == 0 { break }
                try visitNode(reader, into: &builder)
            }
            guard xmlTextReaderIsValid(reader) == 1 else {
                throw Self.failure(from: log, fallback: "The file does not follow the category export schema.")
            }
            return builder.export
        }
    }

    private func visitNode(_ reader: xmlTextReaderPtr, into builder: inout CategoryExportBuilder) throws {
        let depth = Int(xmlTextReaderDepth(reader))
        guard depth <= Self.maximumDepth else {
            throw InputFileError(.malformedFile, "Elements are nested deeper than \(Self.maximumDepth) levels; a category export needs 3.", line: Self.line(of: reader))
        }
        switch Int(xmlTextReaderNodeType(reader)) {
        case Int(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
            let name = LibXML2.string(xmlTextReaderConstName(reader)) ?? ""
            throw InputFileError(.malformedFile, "The file refers to the entity &\(name.prefix(40));; category exports must not use entities.", line: Self.line(of: reader))
        case Int(XML_READER_TYPE_ELEMENT.rawValue):
            guard LibXML2.string(xmlTextReaderConstNamespaceUri(reader)) == Self.namespace else {
                // The schema refuses foreign elements before this; never read one as ours.
                throw InputFileError(
                    .malformedFile, "The element \(LibXML2.string(xmlTextReaderConstName(reader)) ?? "") is not in the namespace \(Self.namespace).", line: Self.line(of: reader))
            }
            let name = LibXML2.string(xmlTextReaderConstLocalName(reader)) ?? ""
            let line = Self.line(of: reader)
            switch (depth, name) {
            case (0, "CategoryExport"):
                try builder.startExport(attributes: Self.attributes(of: reader), line: line)
            case (1, "Term"):
                try builder.startTerm(attributes: Self.attributes(of: reader), line: line)
            case (2, "Category"):
                try builder.addCategory(attributes: Self.attributes(of: reader), line: line)
            default:
                throw InputFileError(.malformedFile, "The element \(name.prefix(40)) is not expected here.", line: line)
            }
        default:
            break
        }
    }

    // MARK: - libxml2 helpers

    /// The current element's attributes without namespace (the schema's attributes), in order;
    /// namespace declarations are left out.
    private static func attributes(of reader: xmlTextReaderPtr) -> [(name: String, value: String)] {
        var attributes: [(name: String, value: String)] = []
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            guard xmlTextReaderConstNamespaceUri(reader) == nil,
                let name = LibXML2.string(xmlTextReaderConstLocalName(reader)),
                let value = LibXML2.string(xmlTextReaderConstValue(reader))
            else { continue }
            attributes.append((name, value))
        }
        xmlTextReaderMoveToElement(reader)
        return attributes
    }

    /// The line where the current node's start tag ends (libxml2 numbers elements so), else where
    /// the parser is. libxml2 2.9 keeps an element's line in 16 bits: past 65535, `xmlGetLineNo`
    /// (with `XML_PARSE_BIG_LINES`) takes it from the text that follows, which may end a line
    /// later; it is never clamped to 65535.
    private static func line(of reader: xmlTextReaderPtr) -> Int? {
        if let node = xmlTextReaderCurrentNode(reader) {
            let line = xmlGetLineNo(node)
            if line > 0 { return Int(line) }
        }
        let line = xmlTextReaderGetParserLineNumber(reader)
        return line > 0 ? Int(line) : nil
    }

    /// The first problem libxml2 reported, worded for a registrar.
    private static func failure(from log: XMLErrorLog, fallback: String, encodingErrorLine: () -> Int? = { nil }) -> InputFileError {
        guard let problem = log.problems.first else {
            let generic = log.genericText.trimmingWhitespace()
            return InputFileError(.malformedFile, generic.isEmpty ? fallback : "\(fallback) libxml2 says: \(generic.prefix(300))")
        }
        var detail = String(problem.message.prefix(400))
        if !detail.hasSuffix(".") { detail += "." }
        let message: String
        switch problem.origin {
        case .parser:
            message = "The file is not well-formed XML: \(detail) Export the categories again from Aspire."
        case .schema:
            message = "The file does not follow the category export schema (aspire-categories-1.xsd): \(detail)"
        case .encoding:
            // libxml2 converts text ahead of parsing and gives no line; find it for UTF-16.
            message = "The file's bytes are not valid text in its encoding (libxml2: \(detail)) Save it as UTF-8, or export the categories again from Aspire."
            return InputFileError(.malformedFile, message, line: problem.line ?? encodingErrorLine())
        case .other:
            message = "The file cannot be read as XML: \(detail)"
        }
        return InputFileError(.malformedFile, message, line: problem.line)
    }

    // MARK: - Locating a DOCTYPE

    /// How far into a file a DOCTYPE is looked for, to give its line.
    static let doctypeSearchLength = 64 * 1024

    private static func prefix(ofFileAt path: String, upTo count: Int = doctypeSearchLength) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: count)) ?? Data())
    }

    // MARK: - Locating bad UTF-16

    /// How far into a file bad UTF-16 is looked for, to give its line.
    static let encodingSearchLength = 16 << 20

    /// The 1-based line of the first code unit that is not valid UTF-16 (an unpaired surrogate,
    /// an odd last byte) in a file that starts with a UTF-16 byte-order mark; `nil` for any other
    /// file, or when the part looked at is valid.
    static func lineOfFirstInvalidUTF16(in bytes: some Collection<UInt8>) -> Int? {
        let bytes = Array(bytes)
        guard bytes.count >= 2 else { return nil }
        let littleEndian: Bool
        switch (bytes[0], bytes[1]) {
        case (0xFF, 0xFE): littleEndian = true
        case (0xFE, 0xFF): littleEndian = false
        default: return nil
        }
        var line = 1
        var index = 2
        var pendingHighSurrogate = false
        while index + 1 < bytes.count {
            let unit = littleEndian ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8 : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            switch unit {
            case 0xD800...0xDBFF:
                if pendingHighSurrogate { return line }
                pendingHighSurrogate = true
            case 0xDC00...0xDFFF:
                if !pendingHighSurrogate { return line }
                pendingHighSurrogate = false
            default:
                if pendingHighSurrogate { return line }
                if unit == 0x0A { line += 1 }
            }
            index += 2
        }
        if pendingHighSurrogate || index < bytes.count { return line }
        return nil
    }

    /// The 1-based line of the first `<!DOCTYPE` in `bytes` (ASCII-compatible encodings only).
    static func doctypeLine(in bytes: some Collection<UInt8>) -> Int? {
        let pattern = Array("<!DOCTYPE".utf8)
        let bytes = Array(bytes)
        guard bytes.count >= pattern.count else { return nil }
        var line = 1
        for index in 0...(bytes.count - pattern.count) {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if bytes[index] == pattern[0], Array(bytes[index..<(index + pattern.count)]) == pattern {
                return line
            }
        }
        return nil
    }
}
