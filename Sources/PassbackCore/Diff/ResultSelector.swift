import Foundation

/// The diff stage: decides which line items and results of a section go out in this run.
///
/// - **incremental**: a result is sent when its grade differs from what Aspire last received
///   and it changed within the window (change time: Canvas's `graded_at`, else when the pipeline
///   first saw the value); a grade that was sent and is now blank goes out as a deletion; line
///   items go when new, changed, or carrying results. A line item that goes out for the first
///   time (the first run, or an assignment released from an error or from pending verification)
///   carries all its current grades, however old: nothing held back is lost to the window.
/// - **bulk**: every current grade of every eligible line item, changed or not, plus deletions.
package struct ResultSelector: Sendable {
    var mode: PassbackHeader.Mode
    var now: Date
    /// How far back a change may lie and still be sent incrementally.
    var window: TimeInterval

    package init(mode: PassbackHeader.Mode, now: Date, window: TimeInterval = 30 * 86_400) {
        self.mode = mode
        self.now = now
        self.window = window
    }

    /// What goes out for one section, and the history to store once it is published.
    package struct Selection: Sendable {
        /// The line items to write, with their results (empty when nothing goes out).
        var lineItems: [PassbackLineItem]
        /// The next history: to be stored only if the output is published.
        package var history: SectionHistory
        /// Results held back because their change is older than the window.
        var outsideWindow: Int
        /// Whether ``history`` differs from the history given (when not, there is nothing to
        /// store).
        var historyChanged: Bool = true
    }

    package func select(_ section: SectionGrades, history: SectionHistory) -> Selection {
        var next = history
        var lineItems: [PassbackLineItem] = []
        var outsideWindow = 0
        var changed = false
        for candidate in section.lineItems {
            var item = candidate.lineItem
            let firstTime = history.lineItems[item.sourcedID] == nil
            // Stored results and candidates are walked side by side (same roster, same order
            // as last time in the common case); see SectionHistory.
            let stored = history.resultsByLineItem[item.sourcedID]
            var matched = [Bool](repeating: false, count: stored?.count ?? 0)
            var lookup: [String: Int]?
            var updated = LineItemResults()
            updated.reserveCapacity(max(candidate.results.count, stored?.count ?? 0))
            // Candidates are read in place: a copy per result (`for result in candidate.results`)
            // retains and releases its strings, which made an unchanged run's diff 25% slower.
            candidate.results.withUnsafeBufferPointer { results in
                for position in results.indices {
                    let result = UnsafePointer(results.baseAddress! + position)
                    var state = ResultState()
                    var before: ResultState?
                    if let stored, let index = stored.index(of: result.pointee.studentSISID, hint: position, lookup: &lookup) {
                        state = stored.states[index]
                        before = state
                        if index != position || matched[index] { changed = true }
                        matched[index] = true
                    } else {
                        changed = true
                    }
                    // When did Canvas's value last change? graded_at when given, else first sighting.
                    if state.seen != result.pointee.current || state.seenSince == nil {
                        state.seen = result.pointee.current
                        state.seenSince = now
                    }
                    let changedAt = result.pointee.gradedAt ?? state.seenSince ?? now
                    let output: PassbackResult?
                    if let value = result.pointee.current {
                        let differs = state.sent != value
                        let recent = now.timeIntervalSince(changedAt) <= window
                        if mode == .bulk || (differs && (recent || firstTime)) {
                            output = PassbackResult(
                                sourcedID: result.pointee.sourcedID(lineItem: item.sourcedID), studentSourcedID: result.pointee.studentSISID,
                                scoreStatus: value.scoreStatus, score: value.score, scoreDate: result.pointee.scoreDate
                            )
                        } else {
                            if differs { outsideWindow += 1 }
                            output = nil
                        }
                    } else if state.sent != nil {
                        output = .deletion(sourcedID: result.pointee.sourcedID(lineItem: item.sourcedID), studentSourcedID: result.pointee.studentSISID)
                    } else {
                        output = nil
                    }
                    if let output {
                        item.results.append(output)
                        state.sent = result.pointee.current
                        state.sentAt = now
                    }
                    if !changed, state != before { changed = true }
                    updated.append(result.pointee.studentSISID, state)
                }
            }
            // Students no longer in the gradebook keep what Aspire has of them.
            if let stored {
                for index in matched.indices where !matched[index] {
                    updated.append(stored.students[index], stored.states[index])
                    changed = true
                }
            }
            if !candidate.results.isEmpty || stored != nil {
                next.resultsByLineItem[item.sourcedID] = updated
            }
            let fingerprint = LineItemFingerprint(item)
            let changedItem = history.lineItems[item.sourcedID] != fingerprint
            if mode == .bulk || changedItem || !item.results.isEmpty {
                lineItems.append(item)
                next.lineItems[item.sourcedID] = fingerprint
                if changedItem { changed = true }
            }
        }
        return Selection(lineItems: lineItems, history: next, outsideWindow: outsideWindow, historyChanged: changed)
    }
}
