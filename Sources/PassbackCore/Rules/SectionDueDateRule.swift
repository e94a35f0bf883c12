extension RuleCode {
    /// Students of one section have different due dates.
    static let dueDateDiffersInSection = RuleCode("due-date-differs-in-section")
}

/// Rule 6: every student of the section has the same due date (compared as dates in the school's
/// time zone, which is what Aspire receives): no student override, and no group override, with
/// another.
struct SectionDueDateRule: PassbackRule {
    init() {}
    var code: RuleCode { .dueDateDiffersInSection }

    func check(_ context: RuleContext) -> Diagnostic? {
        let schedule = context.schedule
        if schedule.studentsWithOtherDueDate > 0 {
            let students = schedule.studentsWithOtherDueDate == 1 ? "1 student has" : "\(schedule.studentsWithOtherDueDate) students have"
            return context.error(
                .dueDateDiffersInSection,
                "Give every student of section \(context.sectionLabel) the same due date; \(students) another one through an individual override."
            )
        }
        if schedule.groupOverridesWithOtherDueDate > 0 {
            return context.error(
                .dueDateDiffersInSection,
                "Give every student of section \(context.sectionLabel) the same due date; a group override sets another one, and its members cannot be told apart by section."
            )
        }
        return nil
    }
}
