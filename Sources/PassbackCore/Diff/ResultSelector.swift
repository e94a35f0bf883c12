import Foundation

extension RuleCode {
    /// Grades that differ from what Aspire has but changed before the incremental window, and
    /// were never held back: not sent (a `--bulk` run sends them).
    static let outsideWindow = RuleCode("outside-window")
}

/// The diff stage: decides which line items and results of a section go out in this run.
///
/// - **incremental**: a result is sent when its grade differs from what Aspire last received
///   and it changed within the window (change time: Canvas's `graded_at`, else when the pipeline
///   first saw the value); a grade that was sent and is now blank goes out as a deletion; line
///   items go when new, changed, or carrying results. The window only keeps old, never-held
///   history from flooding a night: whatever Aspire has never had goes out however old its
///   change. A line item that goes out for the first time carries all its current grades (the
///   first run, an assignment just set to sync); so does one released from a hold (a rule's
///   error, pending verification, a missing gradebook column), and so does a result that was
///   held itself (an unreadable cell, a grade not posted) or that Aspire has never had (a
///   student who had no SIS id). A grade held back by the window alone is reported
///   (`outside-window`, one row per line item with a count).
/// - **bulk**: every current grade of every eligible line item, changed or not, plus deletions.
///
/// In both modes a grade that is held (not posted, unreadable) is neither sent nor deleted, and
/// is marked in the history so that it goes out once the hold is gone.
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

    /// Grades of a section not sent in this run, by why.
    struct HeldGrades: Sendable, Equatable {
        /// Differ from Aspire but changed before the window, never held: `outside-window`.
        var outsideWindow = 0
        /// Not posted to students in Canvas (`grade-not-posted`).
        var notPosted = 0
    }

    /// What goes out for one section, and the history to store once it is published.
    package struct Selection: Sendable {
        /// The line items to write, with their results (empty when nothing goes out).
        var lineItems: [PassbackLineItem]
        /// The next history: to be stored only if the output is published.
        package var history: SectionHistory
        /// Results held back because their change is older than the window, and grades not posted.
        var held: HeldGrades
        /// Rows the diff adds to the section's: `outside-window`, one per line item.
        var diagnostics: [Diagnostic] = []
        /// Whether ``history`` differs from the history given (when not, there is nothing to
        /// store).
        var historyChanged: Bool = true

        /// Results held back because their change is older than the window.
        var outsideWindow: Int { held.outsideWindow }
    }

    /// The selection of a whole section held in memory (tests and the stage benchmark; a run
    /// streams the section line item by line item through ``SectionDiff``).
    package func select(_ section: SectionGrades, history: SectionHistory) -> Selection {
        var diff = SectionDiff(selector: self, request: section.request, lineItems: history.lineItems, heldLineItems: history.heldLineItems, results: history)
        var lineItems: [PassbackLineItem] = []
        for candidate in section.lineItems {
            if let item = diff.select(candidate) { lineItems.append(item) }
        }
        diff.finish(heldLineItems: section.heldLineItems)
        var next = diff.results
        next.lineItems = diff.lineItems
        next.heldLineItems = diff.heldLineItems
        return Selection(lineItems: lineItems, history: next, held: diff.held, diagnostics: diff.diagnostics, historyChanged: diff.changed)
    }

    /// What the diff makes of one line item.
    struct LineItemSelection {
        /// The line item with the results to send (it goes out when it has results, is new or
        /// changed, or the run is bulk: ``SectionDiff`` decides).
        var lineItem: PassbackLineItem
        /// The line item's next results; `nil` when it has none and had none.
        var results: LineItemResults?
        /// Whether ``results`` differ from the stored ones (students, order or states).
        var resultsChanged: Bool
        /// Grades that differ but changed before the window (never held).
        var outsideWindow: Int
        var notPosted: Int
    }

    /// Selects what goes out of one line item, given its stored results.
    /// - Parameters:
    ///   - firstTime: Aspire has never had the line item.
    ///   - released: the line item was held back by a rule, and no longer is.
    func select(_ candidate: CandidateLineItem, stored: LineItemResults?, firstTime: Bool, released: Bool) -> LineItemSelection {
        var item = candidate.lineItem
        var outsideWindow = 0
        var notPosted = 0
        var changed = false
        // Stored results and candidates are walked side by side (same roster, same order
        // as last time in the common case); see SectionHistory.
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
                if result.pointee.hold != .none {
                    // Kept back: nothing sent or deleted; remembered when Aspire lacks it.
                    if result.pointee.hold == .notPosted { notPosted += 1 }
                    if result.pointee.current == nil || state.sent != result.pointee.current { state.held = true }
                    if let value = result.pointee.current, state.seen != value || state.seenSince == nil {
                        state.seen = value
                        state.seenSince = now
                    }
                    if !changed, state != before { changed = true }
                    updated.append(result.pointee.studentSISID, state)
                    continue
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
                    // Aspire never had it, or it was held: the window does not apply.
                    let owed = firstTime || released || before == nil || state.held
                    if mode == .bulk || (differs && (recent || owed)) {
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
                // Sent, or nothing left to send: no longer held.
                if state.held, output != nil || state.sent == result.pointee.current { state.held = false }
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
        let keep = !candidate.results.isEmpty || stored != nil
        return LineItemSelection(lineItem: item, results: keep ? updated : nil, resultsChanged: changed, outsideWindow: outsideWindow, notPosted: notPosted)
    }

    /// The `outside-window` row of one line item.
    func outsideWindowRow(_ count: Int, _ candidate: CandidateLineItem, _ section: SyncRequestKey) -> Diagnostic {
        let days = Int((window / 86_400).rounded())
        let grades = count == 1 ? "1 grade differs" : "\(count) grades differ"
        return .skipped(
            .outsideWindow,
            "Not sent: \(grades) from what Aspire has but changed in Canvas more than \(days) days ago (the incremental window). Run passback with --bulk for this course to send them.",
            subject: ReportSubject(
                courseSISID: section.courseSISID, sectionSISID: section.sectionSISID, canvasCourseID: section.canvasCourseID,
                canvasAssignmentID: candidate.canvasAssignmentID, assignmentName: candidate.assignmentName, categorySourcedID: candidate.lineItem.categorySourcedID
            ),
            count: count
        )
    }
}
