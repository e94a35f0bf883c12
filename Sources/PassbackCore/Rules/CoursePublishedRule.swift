extension RuleCode {
    /// The course is not published in Canvas.
    static let courseUnpublished = RuleCode("course-unpublished")
}

/// Rule 3: the course is published (`available`, or `completed` after its end).
struct CoursePublishedRule: PassbackRule {
    init() {}
    var code: RuleCode { .courseUnpublished }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.course.isPublished else { return nil }
        return context.error(.courseUnpublished, "Publish the course in Canvas; it is \(context.course.workflowState).")
    }
}
