/// An XSD that libxml2 could not compile.
struct SchemaCompilationError: Error, Sendable, CustomStringConvertible {
    /// What libxml2 reported, with lines in the XSD.
    var problems: [XMLProblem]
    /// Messages libxml2 sent without structure, when it sent no structured ones.
    var genericText: String

    var description: String {
        let listed = problems.map(\.description).joined(separator: "; ")
        return listed.isEmpty ? genericText.trimmingWhitespace() : listed
    }
}
