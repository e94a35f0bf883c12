import Foundation

/// What the ledger remembers of one Aspire section: per result the value last sent to Aspire and
/// the value last seen in Canvas (with when it was first seen, the change time when Canvas gives
/// none), and per line item what was last sent. The diff stage reads it and returns the next
/// version, which the ledger stores in the same transaction that records the output as published.
///
/// Results are held per line item, as two parallel arrays (student SIS ids, states) in the order
/// the gradebook lists the students. The diff stage walks a line item's candidates and its stored
/// results side by side, so the common case (the same roster in the same order as last time)
/// needs no hashing per result; a student out of place is found through an index built once for
/// that line item. ``results`` gives the flat view by result `sourcedId`
/// (`canvas-<assignment>:<student>`), for tests and tools.
package struct SectionHistory: Sendable, Equatable {
    var lineItems: [String: LineItemFingerprint]
    /// Line items Aspire has, held back since by a rule (an error, a category not verified, a
    /// missing gradebook column): their next sending carries every grade Aspire lacks, however
    /// old (spec section 6).
    var heldLineItems: Set<String> = []
    /// Per line item `sourcedId`: its results' states.
    var resultsByLineItem: [String: LineItemResults]
    /// Result ids that are not `<line item>:<student>` (never made by passback; kept as given).
    var looseResults: [String: ResultState]

    init(results: [String: ResultState] = [:], lineItems: [String: LineItemFingerprint] = [:]) {
        self.lineItems = lineItems
        resultsByLineItem = [:]
        looseResults = [:]
        for (id, state) in results { set(state, forResultID: id) }
    }

    package static let empty = SectionHistory()

    /// Every result's state by result `sourcedId` (a view built on each access: not for hot paths).
    var results: [String: ResultState] {
        get {
            var flat = looseResults
            for (item, stored) in resultsByLineItem {
                for index in stored.students.indices {
                    flat[item + ":" + stored.students[index]] = stored.states[index]
                }
            }
            return flat
        }
        set {
            resultsByLineItem = [:]
            looseResults = [:]
            for (id, state) in newValue { set(state, forResultID: id) }
        }
    }

    /// Stores one result's state by its `sourcedId`, split at the first `:` after the line item.
    mutating func set(_ state: ResultState, forResultID id: String) {
        guard let colon = id.firstIndex(of: ":") else {
            looseResults[id] = state
            return
        }
        let item = String(id[..<colon])
        let student = String(id[id.index(after: colon)...])
        resultsByLineItem[item, default: LineItemResults()].set(state, for: student)
    }

    package static func == (a: SectionHistory, b: SectionHistory) -> Bool {
        a.lineItems == b.lineItems && a.heldLineItems == b.heldLineItems && a.results == b.results
    }
}

/// The stored results of one line item in one section: student SIS ids and their states, same
/// order. A student appears once (``set(_:for:)`` replaces).
struct LineItemResults: Sendable, Equatable {
    var students: [String]
    var states: [ResultState]

    init(students: [String] = [], states: [ResultState] = []) {
        precondition(students.count == states.count)
        self.students = students
        self.states = states
    }

    var count: Int { students.count }

    /// The index of `student`, trying `hint` (the position it had last time) first.
    func index(of student: String, hint: Int, lookup: inout [String: Int]?) -> Int? {
        if hint < students.count, students[hint] == student { return hint }
        if lookup == nil {
            var built: [String: Int] = [:]
            built.reserveCapacity(students.count)
            for (i, s) in students.enumerated() { built[s] = i }
            lookup = built
        }
        return lookup![student]
    }

    mutating func set(_ state: ResultState, for student: String) {
        if let i = students.lastIndex(of: student) {
            states[i] = state
        } else {
            students.append(student)
            states.append(state)
        }
    }

    mutating func reserveCapacity(_ n: Int) {
        students.reserveCapacity(n)
        states.reserveCapacity(n)
    }

    mutating func append(_ student: String, _ state: ResultState) {
        students.append(student)
        states.append(state)
    }
}

/// One result's state in the ledger.
struct ResultState: Sendable, Equatable {
    /// What Aspire has now: the grade last sent, or `nil` when nothing was sent or the last thing
    /// sent was a deletion.
    var sent: GradeValue?
    /// When the last send (grade or deletion) was published.
    var sentAt: Date?
    /// The grade last seen in Canvas (`nil`: blank), and since when.
    var seen: GradeValue?
    var seenSince: Date?
    /// Kept back by a reason (an unreadable cell, a grade not posted) since it was last sent:
    /// the first run where the reason is gone sends it, however old its change.
    var held: Bool

    init(sent: GradeValue? = nil, sentAt: Date? = nil, seen: GradeValue? = nil, seenSince: Date? = nil, held: Bool = false) {
        self.sent = sent
        self.sentAt = sentAt
        self.seen = seen
        self.seenSince = seenSince
        self.held = held
    }
}

/// What identifies the content of a line item: a change in any of these resends it.
struct LineItemFingerprint: Sendable, Hashable {
    var title: String
    var categorySourcedID: String
    var assignDate: LocalDate
    var dueDate: LocalDate
    var resultValueMax: ExactDecimal

    init(_ item: PassbackLineItem) {
        title = item.title
        categorySourcedID = item.categorySourcedID
        assignDate = item.assignDate
        dueDate = item.dueDate
        resultValueMax = item.resultValueMax
    }

    init(title: String, categorySourcedID: String, assignDate: LocalDate, dueDate: LocalDate, resultValueMax: ExactDecimal) {
        self.title = title
        self.categorySourcedID = categorySourcedID
        self.assignDate = assignDate
        self.dueDate = dueDate
        self.resultValueMax = resultValueMax
    }
}
