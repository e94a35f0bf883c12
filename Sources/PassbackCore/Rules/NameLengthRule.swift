extension RuleCode {
    /// The assignment's name is longer than Aspire accepts.
    static let nameTooLong = RuleCode("name-too-long")
}

/// Rule 1: the name has at most the configured number of characters, counted as Canvas counts
/// them (Unicode scalars, so `é` written as `e` + combining accent is two).
struct NameLengthRule: PassbackRule {
    init() {}
    var code: RuleCode { .nameTooLong }

    func check(_ context: RuleContext) -> Diagnostic? {
        let length = context.assignment.name.unicodeScalars.count
        let limit = context.settings.nameLengthLimit
        guard length > limit else { return nil }
        return context.error(.nameTooLong, "Shorten the name to \(limit) characters or fewer; it has \(length).")
    }
}
