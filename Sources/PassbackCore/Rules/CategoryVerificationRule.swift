extension RuleCode {
    /// The matched category is not verified in Aspire yet: grades are held, not lost.
    static let categoryPendingVerification = RuleCode("category-pending-verification")
}

/// Rule 2, last part: Aspire has verified the category (`verifiedAt` set and not in the future).
/// A warning: nothing is sent now, and the first run after verification that sees the course
/// again sends those grades.
struct CategoryVerificationRule: PassbackRule {
    init() {}
    var code: RuleCode { .categoryPendingVerification }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard let category = context.category.matched else { return nil }
        if let verified = category.verifiedAt, verified <= context.settings.now { return nil }
        return .warning(
            .categoryPendingVerification,
            "Held: Aspire has not verified the category \"\(category.title)\" (\(category.categorySourcedID)) yet; the grades are sent by the first run after it is verified.",
            subject: context.subject, location: context.location
        )
    }
}
