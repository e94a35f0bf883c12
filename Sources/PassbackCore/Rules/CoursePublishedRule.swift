extension RuleCode {
    /// The course is not published in Canvas.
    public static let courseUnpublished = RuleCode("course-unpublished")
}

/// Rule 3: the course is published (`available`, or `completed` after its end).
public struct CoursePublishedRule: PassbackRule {
    public init() {}
    public var code: RuleCode { .courseUnpublished }

    public func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.course.isPublished else { return nil }
        return context.error(.courseUnpublished, "Publish the course in Canvas; it is \(context.course.workflowState).")
    }
}
