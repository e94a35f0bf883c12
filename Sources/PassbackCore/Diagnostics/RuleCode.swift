/// A stable rule code, as it appears in the report's `rule` column and in quarantine reasons.
///
/// Codes are declared as static constants beside the rule or reader that emits them
/// (`extension RuleCode { static let nameTooLong = ... }` in `NameLengthRule.swift`), so a code and
/// its message live in one place. ``RuleCode/all`` (in `Rules/`, beside the rules it names) lists every code the project emits; the README's
/// rule table and the tests are checked against it.
public struct RuleCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible, Comparable {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: RuleCode, rhs: RuleCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
