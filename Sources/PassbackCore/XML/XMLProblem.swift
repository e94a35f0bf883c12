/// One problem libxml2 found in an XML document: not well-formed, or breaking a schema.
///
/// The message is libxml2's, with the schema's own namespace taken out of element names
/// (`Element 'Score': ...` rather than `Element '{urn:aspire-passback:1}Score': ...`), so it can
/// go to a report or a quarantine reason as it is.
struct XMLProblem: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line libxml2 reports, when it reports one.
    var line: Int?
    /// What is wrong, in libxml2's words (one line).
    var message: String
    /// What kind of check failed; lets callers word their own messages.
    var origin: Origin

    enum Origin: Sendable, Equatable {
        /// The parser: the bytes are not well-formed XML.
        case parser
        /// The schema validator: well-formed XML that breaks the schema.
        case schema
        /// Character conversion: bytes that are not text in the document's encoding (bad UTF-16).
        case encoding
        /// Anything else libxml2 reports: I/O (a missing file, a folder), internal errors.
        case other
    }

    init(line: Int?, message: String) {
        self.init(line: line, message: message, origin: .other)
    }

    init(line: Int?, message: String, origin: Origin) {
        self.line = line
        self.message = message
        self.origin = origin
    }

    var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}
