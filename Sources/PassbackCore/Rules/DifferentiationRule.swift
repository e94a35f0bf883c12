extension RuleCode {
    /// The assignment is given to individual students or groups rather than whole sections.
    static let differentiated = RuleCode("differentiated")
}

/// Rule 5: an assignment must be assigned to whole sections or to everyone: no student
/// (`student_ids`) or group (`group_id`) overrides when it is visible to overrides only, no
/// Mastery Paths (`noop_id`), and no override of a kind passback does not know (reported, naming
/// it, for this assignment only; the rest of the course goes on).
struct DifferentiationRule: PassbackRule {
    init() {}
    var code: RuleCode { .differentiated }

    func check(_ context: RuleContext) -> Diagnostic? {
        let kinds = context.schedule.differentiations
        guard !kinds.isEmpty else { return nil }
        var reasons: [String] = []
        if kinds.contains(.students) || kinds.contains(.groups) {
            reasons.append("it is assigned to individual students or groups in section \(context.sectionLabel), which Aspire cannot record")
        }
        if kinds.contains(.masteryPaths) {
            reasons.append("Mastery Paths releases it to students by a condition (a noop_id override), so it is not assigned to whole sections")
        }
        for case .unknownKind(let kind) in kinds.sorted() {
            reasons.append("it has an override of a kind passback does not know (\(kind)), so whom it is assigned to cannot be told")
        }
        return context.error(.differentiated, "Assign the assignment to whole sections or to everyone; " + reasons.joined(separator: "; ") + ".")
    }
}
