import Foundation
import Testing
@testable import PassbackCore

@Suite struct ResultSelectorTests {
    static let now = Make.date("2025-10-01T09:00:00Z")

    func section(_ results: [CandidateResult]) -> SectionGrades {
        let item = PassbackLineItem(sourcedID: "canvas-1001", title: "Homework 1", categorySourcedID: "GCT1", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"), resultValueMax: Make.decimal("10"), results: [])
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
        let selection = ResultSelector(mode: .incremental, now: Self.now).select(section([result("1", .score(Make.decimal("9"))), result("2", .exempt), result("3", nil)]), history: .empty)
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
        #expect(!ResultSelector(mode: .bulk, now: Self.now).select(input, history: first.history).historyChanged, "bulk at the same clock resends the same values: nothing new to store")
        let regraded = ResultSelector(mode: .incremental, now: later).select(section([result("1", .score(Make.decimal("9.5"))), result("2", nil), result("3", .exempt)]), history: first.history)
        #expect(regraded.historyChanged)
        let reordered = ResultSelector(mode: .incremental, now: later).select(section([result("2", nil), result("1", .score(Make.decimal("9"))), result("3", .exempt)]), history: first.history)
        #expect(reordered.historyChanged)
        let fewer = ResultSelector(mode: .incremental, now: later).select(section([result("1", .score(Make.decimal("9")))]), history: first.history)
        #expect(fewer.historyChanged)
        #expect(fewer.history.results.count == 3, "a student no longer in the gradebook keeps what Aspire has")
    }

    @Test func changedClearedAndExcusedGoOut() {
        let first = ResultSelector(mode: .incremental, now: Self.now).select(section([result("1", .score(Make.decimal("9"))), result("2", .score(Make.decimal("8"))), result("3", .score(Make.decimal("7"))), result("4", .score(Make.decimal("6")))]), history: .empty)
        let later = Self.now.addingTimeInterval(3600)
        let second = ResultSelector(mode: .incremental, now: later).select(section([result("1", .score(Make.decimal("9.5"))), result("2", nil), result("3", .exempt), result("4", .score(Make.decimal("6.00")))]), history: first.history)
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
        // The line item went out before (with another student), so the window applies.
        var history = SectionHistory()
        history.lineItems["canvas-1001"] = LineItemFingerprint(section([]).lineItems[0].lineItem)
        let selection = ResultSelector(mode: .incremental, now: Self.now, window: window).select(section([inside, outside]), history: history)
        #expect(selection.lineItems.first?.results.map(\.sourcedID) == ["canvas-1001:1"])
        #expect(selection.outsideWindow == 1)
        #expect(selection.history.results["canvas-1001:2"]?.sent == nil)
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
}
