extension RuleCode {
    /// The assignment is not published in Canvas.
    public static let assignmentUnpublished = RuleCode("assignment-unpublished")
}

/// Rule 3: the assignment is published.
public struct AssignmentPublishedRule: PassbackRule {
    public init() {}
    public var code: RuleCode { .assignmentUnpublished }

    public func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.assignment.published else { return nil }
        return context.error(.assignmentUnpublished, "Publish the assignment in Canvas, or turn off \"Sync to SIS\" if it is not meant for Aspire.")
    }
}
