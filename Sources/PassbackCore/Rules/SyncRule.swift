extension RuleCode {
    /// The assignment's "Sync to SIS" (`post_to_sis`) is off.
    static let notSetToSync = RuleCode("not-set-to-sync")
}

/// Rule 4: only assignments set to sync are passed back. Not an error: the teacher chose it.
struct SyncRule: PassbackRule {
    init() {}
    var code: RuleCode { .notSetToSync }

    func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.assignment.postToSIS else { return nil }
        return .skipped(
            .notSetToSync,
            "Not sent: the assignment is not set to sync to the SIS. Turn on \"Sync to SIS\" in Canvas if its grades belong in Aspire.",
            subject: context.subject, location: context.location
        )
    }
}
