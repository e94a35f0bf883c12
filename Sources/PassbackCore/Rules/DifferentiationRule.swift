extension RuleCode {
    /// The assignment is given to individual students or groups rather than whole sections.
    static let differentiated = RuleCode("differentiated")
}

/// Rule 5: an assignment visible only to overrides must be assigned to whole sections: no student
/// (`student_ids`) or group (`group_id`) overrides.
struct DifferentiationRule: PassbackRule {
    init() {}
    var code: RuleCode { .differentiated }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard context.schedule.differentiatingOverrides > 0 else { return nil }
        return context.error(
            .differentiated,
            "Assign the assignment to whole sections or to everyone; it is assigned to individual students or groups in section \(context.sectionLabel), which Aspire cannot record."
        )
    }
}
