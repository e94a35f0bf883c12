extension RuleCode {
    /// The assignment's "Sync to SIS" (`post_to_sis`) is off.
    public static let notSetToSync = RuleCode("not-set-to-sync")
}

/// Rule 4: only assignments set to sync are passed back. Not an error: the teacher chose it.
public struct SyncRule: PassbackRule {
    public init() {}
    public var code: RuleCode { .notSetToSync }

    public func check(_ context: RuleContext) -> Diagnostic? {
        guard !context.assignment.postToSIS else { return nil }
        return .skipped(
            .notSetToSync,
            "Not sent: the assignment is not set to sync to the SIS. Turn on \"Sync to SIS\" in Canvas if its grades belong in Aspire.",
            subject: context.subject, location: context.location
        )
    }
}
