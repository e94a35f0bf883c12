extension RuleCode {
    /// The assignment is not published in Canvas.
    static let assignmentUnpublished = RuleCode("assignment-unpublished")
}

/// Rule 3: the assignment is published.
struct AssignmentPublishedRule: PassbackRule {
    init() {}
    var code: RuleCode { .assignmentUnpublished }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.assignment.published else { return nil }
        return context.error(.assignmentUnpublished, "Publish the assignment in Canvas, or turn off \"Sync to SIS\" if it is not meant for Aspire.")
    }
}
