import Foundation

/// What the ledger remembers of one Aspire section: per result the value last sent to Aspire and
/// the value last seen in Canvas (with when it was first seen, the change time when Canvas gives
/// none), and per line item what was last sent. The diff stage reads it and returns the next
/// version, which the ledger stores in the same transaction that records the output as published.
public struct SectionHistory: Sendable, Equatable {
    public var results: [String: ResultState]
    public var lineItems: [String: LineItemFingerprint]

    public init(results: [String: ResultState] = [:], lineItems: [String: LineItemFingerprint] = [:]) {
        self.results = results
        self.lineItems = lineItems
    }

    public static let empty = SectionHistory()
}

/// One result's state in the ledger.
public struct ResultState: Sendable, Equatable {
    /// What Aspire has now: the grade last sent, or `nil` when nothing was sent or the last thing
    /// sent was a deletion.
    public var sent: GradeValue?
    /// When the last send (grade or deletion) was published.
    public var sentAt: Date?
    /// The grade last seen in Canvas (`nil`: blank), and since when.
    public var seen: GradeValue?
    public var seenSince: Date?

    public init(sent: GradeValue? = nil, sentAt: Date? = nil, seen: GradeValue? = nil, seenSince: Date? = nil) {
        self.sent = sent
        self.sentAt = sentAt
        self.seen = seen
        self.seenSince = seenSince
    }
}

/// What identifies the content of a line item: a change in any of these resends it.
public struct LineItemFingerprint: Sendable, Hashable {
    public var title: String
    public var categorySourcedID: String
    public var assignDate: LocalDate
    public var dueDate: LocalDate
    public var resultValueMax: ExactDecimal

    public init(_ item: PassbackLineItem) {
        title = item.title
        categorySourcedID = item.categorySourcedID
        assignDate = item.assignDate
        dueDate = item.dueDate
        resultValueMax = item.resultValueMax
    }

    public init(title: String, categorySourcedID: String, assignDate: LocalDate, dueDate: LocalDate, resultValueMax: ExactDecimal) {
        self.title = title
        self.categorySourcedID = categorySourcedID
        self.assignDate = assignDate
        self.dueDate = dueDate
        self.resultValueMax = resultValueMax
    }
}

/// Reads what the ledger remembers per section. The run loads the history of a bundle's sections
/// before the diff stage; tests pass a dictionary.
public protocol SectionHistorySource: Sendable {
    func history(ofSection classSourcedID: String) throws -> SectionHistory
}

/// No history: every result is new (the first run, or `validate`).
public struct NoSectionHistory: SectionHistorySource {
    public init() {}
    public func history(ofSection classSourcedID: String) throws -> SectionHistory { .empty }
}
