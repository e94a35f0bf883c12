extension RuleCode {
    /// The assignment's group was not imported from Aspire.
    static let categoryNotImported = RuleCode("category-not-imported")
}

/// Rule 2, first half: the assignment sits in an assignment group imported from Aspire (one with
/// an SIS source id).
struct CategoryImportedRule: PassbackRule {
    init() {}
    var code: RuleCode { .categoryNotImported }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard context.group.sisSourceID == nil else { return nil }
        return context.error(
            .categoryNotImported,
            "Move the assignment into an assignment group imported from Aspire; \"\(context.group.name)\" was created in Canvas."
        )
    }
}
