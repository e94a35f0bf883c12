/// Request statuses as people type them: the seed's own `Errors`, `in-queue`, `IN_PROGRESS`,
/// `"in  queue"` all name a status (version 1 refused them).
extension SyncRequestStatus {
    /// The status `text` names, in any case, with `-`, `_` or spaces between words.
    public init?(loosely text: String) {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "_" || $0 == "\t" })
        self.init(rawValue: words.joined(separator: " "))
    }

    /// The names `--status` takes, for messages.
    public static var names: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
