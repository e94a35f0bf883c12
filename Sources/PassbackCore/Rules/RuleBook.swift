/// The passback rules in the order they are checked and reported.
///
/// ``SyncRule`` comes first and alone: an assignment the teacher did not set to sync is skipped
/// without further complaints. All the others are checked together, so a teacher sees every
/// problem of an assignment in one report rather than one per night.
package struct RuleBook: Sendable {
    var gate: [any PassbackRule]
    var rules: [any PassbackRule]

    init(gate: [any PassbackRule], rules: [any PassbackRule]) {
        self.gate = gate
        self.rules = rules
    }

    /// Spec section 3, in its table's order.
    static let standard = RuleBook(
        gate: [SyncRule()],
        rules: [
            NameLengthRule(),
            CategoryImportedRule(),
            CategoryMatchRule(),
            CategoryVerificationRule(),
            CoursePublishedRule(),
            AssignmentPublishedRule(),
            DifferentiationRule(),
            DueDateRule(),
            SectionDueDateRule(),
            TermDatesRule(),
        ]
    )

    /// Every code the book can report, in order.
    var codes: [RuleCode] { (gate + rules).map(\.code) }

    /// Checks one assignment in one section.
    /// - Returns: the rows to report; empty means the grades may be sent.
    func check(_ context: RuleContext) -> [Diagnostic] {
        for rule in gate {
            if let finding = rule.check(context) { return [finding] }
        }
        return rules.compactMap { $0.check(context) }
    }
}
