import Foundation
import Testing

@testable import PassbackCore

@Suite struct ResultSelectorTests {
    static let now = Make.date("2025-10-01T09:00:00Z")

    func section(_ results: [CandidateResult]) -> SectionGrades {
        let item = PassbackLineItem(
            sourcedID: "canvas-1001", title: "Homework 1", categorySourcedID: "GCT1", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"),
            resultValueMax: Make.decimal("10"), results: [])
        return SectionGrades(
            request: SyncRequestKey(bundleStem: "c", courseSISID: "C", canvasCourseID: "1", sectionSISID: "S", canvasSectionID: "2"),
            termSourcedID: "T", schoolID: "702",
            lineItems: [CandidateLineItem(lineItem: item, assignmentName: "Homework 1", canvasAssignmentID: "1001", results: results)]
        )
    }

    func result(_ student: String, _ value: GradeValue?, gradedAt: Date? = nil) -> CandidateResult {
        CandidateResult(studentSISID: student, current: value, gradedAt: gradedAt, scoreDate: Make.day("2025-09-30"))
    }

    @Test func firstRunSendsEveryGradeAndNoDeletion() {
        let selection = ResultSelector(mode: .incremental, now: Self.now).select(
            section([result("1", .score(Make.decimal("9"))), result("2", .exempt), result("3", nil)]), history: .empty)
        #expect(selection.lineItems.count == 1)
        #expect(selection.lineItems[0].results.map(\.sourcedID) == ["canvas-1001:1", "canvas-1001:2"])
        #expect(selection.lineItems[0].results[1].scoreStatus == .exempt)
        #expect(selection.lineItems[0].results[1].score == nil)
        #expect(selection.history.results["canvas-1001:1"]?.sent == .score(Make.decimal("9")))
        #expect(selection.history.results["canvas-1001:3"]?.sent == nil)
    }

    @Test func unchangedGradesAreNotResentButBulkResendsThem() {
        let input = section([result("1", .score(Make.decimal("9")))])
        let first = ResultSelector(mode: .incremental, now: Self.now).select(input, history: .empty)
        let later = Self.now.addingTimeInterval(86_400)
        let again = ResultSelector(mode: .incremental, now: later).select(input, history: first.history)
        #expect(again.lineItems.isEmpty)
        let bulk = ResultSelector(mode: .bulk, now: later).select(input, history: first.history)
        #expect(bulk.lineItems.first?.results.count == 1)
    }

    @Test func saysWhetherTheHistoryChanged() {
        let input = section([result("1", .score(Make.decimal("9"))), result("2", nil), result("3", .exempt)])
        let first = ResultSelector(mode: .incremental, now: Self.now).select(input, history: .empty)
        #expect(first.historyChanged)
        let later = Self.now.addingTimeInterval(86_400)
        let same = ResultSelector(mode: .incremental, now: later).select(input, history: first.history)
        #expect(!same.historyChanged)
        #expect(same.history == first.history)
        #expect(
            !ResultSelector(mode: .bulk, now: Self.now).select(input, history: first.history).historyChanged, "bulk at the same clock resends the same values: nothing new to store"
        )
        let regraded = ResultSelector(mode: .incremental, now: later).select(
            section([result("1", .score(Make.decimal("9.5"))), result("2", nil), result("3", .exempt)]), history: first.history)
        #expect(regraded.historyChanged)
        let reordered = ResultSelector(mode: .incremental, now: later).select(
            section([result("2", nil), result("1", .score(Make.decimal("9"))), result("3", .exempt)]), history: first.history)
        #expect(reordered.historyChanged)
        let fewer = ResultSelector(mode: .incremental, now: later).select(section([result("1", .score(Make.decimal("9")))]), history: first.history)
        #expect(fewer.historyChanged)
        #expect(fewer.history.results.count == 3, "a student no longer in the gradebook keeps what Aspire has")
    }

    @Test func changedClearedAndExcusedGoOut() {
        let first = ResultSelector(mode: .incremental, now: Self.now).select(
            section([
                result("1", .score(Make.decimal("9"))), result("2", .score(Make.decimal("8"))), result("3", .score(Make.decimal("7"))), result("4", .score(Make.decimal("6"))),
            ]), history: .empty)
        let later = Self.now.addingTimeInterval(3600)
        let second = ResultSelector(mode: .incremental, now: later).select(
            section([result("1", .score(Make.decimal("9.5"))), result("2", nil), result("3", .exempt), result("4", .score(Make.decimal("6.00")))]), history: first.history)
        let results = second.lineItems.first?.results ?? []
        #expect(results.map(\.sourcedID) == ["canvas-1001:1", "canvas-1001:2", "canvas-1001:3"])
        #expect(results[1].status == .toBeDeleted)
        #expect(results[1].scoreStatus == nil)
        #expect(results[2].scoreStatus == .exempt)
        // A deletion sent once is not sent again.
        let third = ResultSelector(mode: .incremental, now: later.addingTimeInterval(3600)).select(section([result("2", nil)]), history: second.history)
        #expect(third.lineItems.isEmpty)
    }

    @Test func theWindowUsesGradedAt() {
        let window: TimeInterval = 30 * 86_400
        let inside = result("1", .score(Make.decimal("9")), gradedAt: Self.now.addingTimeInterval(-window + 60))
        let outside = result("2", .score(Make.decimal("9")), gradedAt: Self.now.addingTimeInterval(-window - 60))
        // Both grades went out before (as 5); both changed since, one before the window: only
        // that one is held back (it was never held for a reason, and Aspire has a grade).
        let history = ResultSelector(mode: .incremental, now: Self.now.addingTimeInterval(-window * 3)).select(
            section([result("1", .score(Make.decimal("5"))), result("2", .score(Make.decimal("5")))]), history: .empty
        ).history
        let selection = ResultSelector(mode: .incremental, now: Self.now, window: window).select(section([inside, outside]), history: history)
        #expect(selection.lineItems.first?.results.map(\.sourcedID) == ["canvas-1001:1"])
        #expect(selection.outsideWindow == 1)
        #expect(selection.history.results["canvas-1001:2"]?.sent == .score(Make.decimal("5")))
        let bulk = ResultSelector(mode: .bulk, now: Self.now, window: window).select(section([inside, outside]), history: history)
        #expect(bulk.lineItems.first?.results.count == 2)
        // A line item going out for the first time carries every grade, old or not.
        let first = ResultSelector(mode: .incremental, now: Self.now, window: window).select(section([inside, outside]), history: .empty)
        #expect(first.lineItems.first?.results.count == 2)
    }

    @Test func aChangedLineItemGoesOutWithoutResults() {
        let first = ResultSelector(mode: .incremental, now: Self.now).select(section([result("1", .score(Make.decimal("9")))]), history: .empty)
        var renamed = section([result("1", .score(Make.decimal("9")))])
        renamed.lineItems[0].lineItem.title = "Homework 1 (revised)"
        let second = ResultSelector(mode: .incremental, now: Self.now).select(renamed, history: first.history)
        #expect(second.lineItems.map(\.title) == ["Homework 1 (revised)"])
        #expect(second.lineItems[0].results.isEmpty)
    }

    /// Spec 6 (v2): a grade held for a reason goes out in the first run where the reason is
    /// gone, however old; the window holds back only old, never-held changes, and says so.
    @Test func heldGradesGoOutWhateverTheirAgeAndTheWindowSaysWhatItHolds() {
        let window: TimeInterval = 30 * 86_400
        let old = Self.now.addingTimeInterval(-window * 2)
        let first = ResultSelector(mode: .incremental, now: Self.now).select(
            section([result("1", .score(Make.decimal("5"))), result("2", .score(Make.decimal("5"))), result("3", .score(Make.decimal("5")))]), history: .empty)
        let later = Self.now.addingTimeInterval(86_400)
        // 1 unreadable, 2 not posted (a new value), 3 changed long ago (never held).
        var unreadable = result("1", nil, gradedAt: old)
        unreadable.hold = .unreadable
        var notPosted = result("2", .score(Make.decimal("7")), gradedAt: old)
        notPosted.hold = .notPosted
        let heldRun = ResultSelector(mode: .incremental, now: later, window: window).select(
            section([unreadable, notPosted, result("3", .score(Make.decimal("6")), gradedAt: old)]), history: first.history)
        #expect(heldRun.lineItems.isEmpty, "nothing sent, nothing deleted")
        #expect(heldRun.held == ResultSelector.HeldGrades(outsideWindow: 1, notPosted: 1))
        #expect(heldRun.diagnostics.map(\.code) == [.outsideWindow])
        #expect(heldRun.diagnostics.first?.count == 1)
        #expect(heldRun.diagnostics.first?.subject.canvasAssignmentID == "1001")
        #expect(heldRun.history.results["canvas-1001:1"]?.held == true)
        #expect(heldRun.history.results["canvas-1001:2"]?.held == true)
        #expect(heldRun.history.results["canvas-1001:3"]?.held == false)
        // The reasons are gone: 1 and 2 go out although they changed long ago; 3 still waits.
        let released = ResultSelector(mode: .incremental, now: later.addingTimeInterval(86_400), window: window).select(
            section([
                result("1", .score(Make.decimal("4")), gradedAt: old), result("2", .score(Make.decimal("7")), gradedAt: old), result("3", .score(Make.decimal("6")), gradedAt: old),
            ]),
            history: heldRun.history
        )
        #expect(released.lineItems.first?.results.map(\.sourcedID) == ["canvas-1001:1", "canvas-1001:2"])
        #expect(released.history.results["canvas-1001:1"]?.held == false)
        #expect(released.history.results["canvas-1001:2"]?.held == false)
        // Bulk never sends a grade that is not posted.
        let bulk = ResultSelector(mode: .bulk, now: later, window: window).select(section([notPosted]), history: first.history)
        #expect(bulk.lineItems.first?.results.isEmpty == true)
    }

    /// A line item Aspire has, held by a rule, carries its old changes when released; a
    /// student Aspire never had (no SIS id before) goes out whatever the age of their grade.
    @Test func aReleasedLineItemAndANewStudentCarryOldGrades() {
        let window: TimeInterval = 30 * 86_400
        let old = Self.now.addingTimeInterval(-window * 2)
        let first = ResultSelector(mode: .incremental, now: Self.now).select(section([result("1", .score(Make.decimal("5")))]), history: .empty)
        var heldSection = section([])
        heldSection.lineItems = []
        heldSection.heldLineItems = ["canvas-1001", "canvas-9999"]
        let held = ResultSelector(mode: .incremental, now: Self.now, window: window).select(heldSection, history: first.history)
        #expect(held.history.heldLineItems == ["canvas-1001"], "only line items Aspire has are remembered")
        let released = ResultSelector(mode: .incremental, now: Self.now.addingTimeInterval(86_400), window: window).select(
            section([result("1", .score(Make.decimal("6")), gradedAt: old), result("2", .score(Make.decimal("3")), gradedAt: old)]), history: held.history
        )
        #expect(released.lineItems.first?.results.map(\.sourcedID) == ["canvas-1001:1", "canvas-1001:2"])
        #expect(released.history.heldLineItems.isEmpty)
        #expect(released.held.outsideWindow == 0)
    }
}
