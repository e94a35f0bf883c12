import Foundation

/// Where a section's diff finds a line item's stored results and leaves its next ones: the
/// whole ``SectionHistory`` in memory (tests, tools), or a stored record read and the next one
/// written line item by line item (``StreamedSectionHistory``, a run).
protocol LineItemResultStore: Sendable {
    func storedResults(of item: String) -> LineItemResults?
    /// Sets a line item's next results; `changed` says whether they differ from the stored ones.
    mutating func store(_ results: LineItemResults, of item: String, changed: Bool)
}

extension SectionHistory: LineItemResultStore {
    func storedResults(of item: String) -> LineItemResults? {
        resultsByLineItem[item]
    }

    mutating func store(_ results: LineItemResults, of item: String, changed: Bool) {
        resultsByLineItem[item] = results
    }
}

/// A section's stored record read, and its next one made, one line item at a time: a line item's
/// results are decoded when the diff reaches it and encoded when the diff leaves it, so only one
/// line item's are ever decoded (issue 12).
struct StreamedSectionHistory: LineItemResultStore {
    let stored: StoredSectionHistory
    private(set) var next: SectionHistoryBuilder

    init(stored: StoredSectionHistory, now: Date) {
        self.stored = stored
        next = SectionHistoryBuilder(stored: stored, baseHint: now)
    }

    func storedResults(of item: String) -> LineItemResults? {
        stored.results(of: item)
    }

    mutating func store(_ results: LineItemResults, of item: String, changed: Bool) {
        // Unchanged: the stored bytes stay.
        if changed || stored.spans[item] == nil { next.replace(item, with: results) }
    }

    /// The next record (``SectionHistoryBuilder/takeRecord(lineItems:heldLineItems:)``); the
    /// results are then let go.
    mutating func takeNextRecord(lineItems: [String: LineItemFingerprint], heldLineItems: Set<String>) -> Data {
        next.takeRecord(lineItems: lineItems, heldLineItems: heldLineItems)
    }
}

/// The diff of one section, fed one candidate line item at a time in the section's order
/// (``ResultSelector`` decides per line item): what goes out of each, and what the section's next
/// history is. Besides the results (kept by `Results`), a section's history is its line items'
/// fingerprints and the line items held back by a rule: a few per line item, kept here.
struct SectionDiff<Results: LineItemResultStore> {
    let selector: ResultSelector
    let request: SyncRequestKey
    private let storedLineItems: [String: LineItemFingerprint]
    private let storedHeldLineItems: Set<String>
    /// The next fingerprints and held line items.
    private(set) var lineItems: [String: LineItemFingerprint]
    private(set) var heldLineItems: Set<String>
    private(set) var results: Results
    /// Grades not sent, by why.
    private(set) var held = ResultSelector.HeldGrades()
    /// `outside-window` rows, one per line item with such grades.
    private(set) var diagnostics: [Diagnostic] = []
    /// Whether the next history differs from the stored one.
    private(set) var changed = false

    init(selector: ResultSelector, request: SyncRequestKey, lineItems: [String: LineItemFingerprint], heldLineItems: Set<String>, results: Results) {
        self.selector = selector
        self.request = request
        storedLineItems = lineItems
        storedHeldLineItems = heldLineItems
        self.lineItems = lineItems
        self.heldLineItems = heldLineItems
        self.results = results
    }

    /// The line item with the results to send, or `nil` when it does not go out in this run.
    mutating func select(_ candidate: CandidateLineItem) -> PassbackLineItem? {
        let id = candidate.lineItem.sourcedID
        let firstTime = storedLineItems[id] == nil
        // Released from a hold on the whole line item: as if it went out for the first time.
        let released = !firstTime && storedHeldLineItems.contains(id)
        let made = selector.select(candidate, stored: results.storedResults(of: id), firstTime: firstTime, released: released)
        held.notPosted += made.notPosted
        if made.resultsChanged { changed = true }
        if let next = made.results { results.store(next, of: id, changed: made.resultsChanged) }
        let fingerprint = LineItemFingerprint(made.lineItem)
        let changedItem = storedLineItems[id] != fingerprint
        var sent: PassbackLineItem?
        if selector.mode == .bulk || changedItem || !made.lineItem.results.isEmpty {
            sent = made.lineItem
            lineItems[id] = fingerprint
            if changedItem { changed = true }
        }
        if released {
            heldLineItems.remove(id)
            changed = true
        }
        if made.outsideWindow > 0 {
            held.outsideWindow += made.outsideWindow
            diagnostics.append(selector.outsideWindowRow(made.outsideWindow, candidate, request))
        }
        return sent
    }

    /// After the last line item: line items Aspire has that a rule holds back now (`held`) are
    /// remembered, to be released in full later.
    mutating func finish(heldLineItems held: [String]) {
        for id in held where storedLineItems[id] != nil && !heldLineItems.contains(id) {
            heldLineItems.insert(id)
            changed = true
        }
    }
}

extension SectionDiff where Results == StreamedSectionHistory {
    /// The section's next history record, made from the line items the diff left; the diff's
    /// results are let go (call it once, after ``finish(heldLineItems:)``).
    mutating func takeNextRecord() -> Data {
        results.takeNextRecord(lineItems: lineItems, heldLineItems: heldLineItems)
    }
}
