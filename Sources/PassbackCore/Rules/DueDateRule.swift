extension RuleCode {
    /// The section has no due date for the assignment.
    static let noDueDate = RuleCode("no-due-date")
}

/// Rule 6: the section has a due date: its override's `due_at`, else the assignment's.
struct DueDateRule: PassbackRule {
    init() {}
    var code: RuleCode { .noDueDate }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard context.schedule.isSectionWide, context.schedule.dueAt == nil else { return nil }
        return context.error(.noDueDate, "Give the assignment a due date for section \(context.sectionLabel); Aspire files every grade under one.")
    }
}
