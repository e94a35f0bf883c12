extension RuleCode {
    /// The section's due date falls outside the category's term.
    static let dueDateOutsideTerm = RuleCode("due-date-outside-term")
}

/// Rule +: the section's due date, as a date in the school's time zone, lies within the matched
/// category's term (`termStartDate`...`termEndDate`, both included). Aspire files grades by term.
struct TermDatesRule: PassbackRule {
    init() {}
    var code: RuleCode { .dueDateOutsideTerm }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard context.schedule.isSectionWide, let category = context.category.matched, let due = context.schedule.dueAt else { return nil }
        let day = context.settings.calendar.localDate(of: due)
        guard day < category.termStartDate || day > category.termEndDate else { return nil }
        return context.error(
            .dueDateOutsideTerm,
            "Move the due date (\(day)) into term \(category.termCode), \(category.termStartDate) to \(category.termEndDate), or move the assignment to the course of the right term."
        )
    }
}
