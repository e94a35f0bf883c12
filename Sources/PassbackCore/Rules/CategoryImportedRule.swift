extension RuleCode {
    /// The assignment's group was not imported from Aspire.
    public static let categoryNotImported = RuleCode("category-not-imported")
}

/// Rule 2, first half: the assignment sits in an assignment group imported from Aspire (one with
/// an SIS source id).
public struct CategoryImportedRule: PassbackRule {
    public init() {}
    public var code: RuleCode { .categoryNotImported }

    public func check(_ context: RuleContext) -> Diagnostic? {
        guard context.group.sisSourceID == nil else { return nil }
        return context.error(
            .categoryNotImported,
            "Move the assignment into an assignment group imported from Aspire; \"\(context.group.name)\" was created in Canvas."
        )
    }
}
