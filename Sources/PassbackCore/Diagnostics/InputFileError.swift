/// A problem that stops one input file: it is not read further, it goes to quarantine with this
/// reason, and the run goes on with the other files.
package struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    var code: RuleCode
    /// What is wrong and what to do about it, in one or two sentences.
    var message: String
    /// The 1-based line where the problem is, when one line is to blame.
    var line: Int?

    init(_ code: RuleCode = .malformedFile, _ message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    package var description: String {
        if let line { return "line \(line): \(code): \(message)" }
        return "\(code): \(message)"
    }
}

extension RuleCode {
    /// An input that cannot be read: bad CSV, JSON or XML, XML that breaks the schema, a missing
    /// required column. The file goes to quarantine.
    static let malformedFile = RuleCode("malformed-file")
    /// Half a course bundle that waited longer than the setting allows.
    static let incompleteBundle = RuleCode("incomplete-bundle")
    /// Byte-identical to input already processed; archived, nothing resent.
    static let duplicateFile = RuleCode("duplicate-file")
    /// A name that is neither a category export nor half of a course bundle.
    static let unknownFile = RuleCode("unknown-file")
}
