import Foundation
import Testing

@testable import PassbackCore

/// Multi-run scenarios with a fixed clock (issue 3): what incremental and bulk runs send, what the
/// ledger keeps, what `status` finds.
@Suite struct IncrementalRunTests {
    func firstRun() throws -> (ScenarioWorkspace, ScenarioCourse) {
        let workspace = try ScenarioWorkspace()
        try workspace.drop("aspire.categories.csv", ScenarioCourse.categories())
        let course = ScenarioCourse()
        try course.drop(into: workspace)
        let summary = try workspace.run(at: "2025-10-01T09:00:00Z")
        #expect(summary.exitCode == 0)
        #expect(try workspace.sentResults(summary).count == 8, "the first run sends every grade")
        return (workspace, course)
    }

    @Test func changedClearedAndExcusedSendExactlyThoseThree() throws {
        var (workspace, course) = try firstRun()
        course.homework = ["9.50", "", "EX", "6.00"]  // changed, cleared, newly excused, same
        try course.drop(into: workspace)
        let summary = try workspace.run(at: "2025-10-02T09:00:00Z")
        #expect(summary.exitCode == 0)
        #expect(
            try workspace.sentResults(summary) == [
                "canvas-101:1001 active fully graded 9.5",
                "canvas-101:1002 tobedeleted",
                "canvas-101:1003 active exempt",
            ])
        let success = try workspace.report(summary).filter { $0["status"] == "success" }
        #expect(success.map { $0["canvas_assignment_id"] } == ["101"])
        #expect(success.first?["count"] == "3")
        #expect(success.first?["message"] == "Sent 2 grades and 1 deletion (due 2025-09-11, category HW).")
    }

    @Test func anIdenticalRedropSendsNothingAndBulkResendsAll() throws {
        let (workspace, course) = try firstRun()
        try course.drop(into: workspace)
        let again = try workspace.run(at: "2025-10-02T09:00:00Z")
        #expect(again.exitCode == 0)
        #expect(again.xmlFiles == 0)
        #expect(try workspace.sentResults(again).isEmpty)
        let rows = try workspace.report(again)
        #expect(rows.map { $0["rule"] } == ["duplicate-file"])
        #expect(rows.first?["status"] == "skipped")
        #expect(try workspace.ledger().syncRequests(SyncRequestQuery(runID: again.runID)).requests.isEmpty)
        #expect(FileManager.default.fileExists(atPath: workspace.root.appendingPathComponent("archive/2025-10-02/\(again.runID!)/course.gradebook.csv").path))

        // The same bytes with one grade changed are not a duplicate, and send just that grade.
        var changed = course
        changed.projects[0] = "19.00"
        try changed.drop(into: workspace)
        let third = try workspace.run(at: "2025-10-02T10:00:00Z")
        #expect(try workspace.sentResults(third) == ["canvas-102:1001 active fully graded 19"])

        try changed.drop(into: workspace)
        let bulk = try workspace.run(at: "2025-10-03T09:00:00Z", mode: .bulk)
        #expect(try workspace.sentResults(bulk).count == 8)
        let xml = try String(contentsOf: workspace.root.appendingPathComponent("outbox/\(bulk.runID!)_S1-4242.xml"), encoding: .utf8)
        #expect(xml.contains("mode=\"bulk\""))
    }

    @Test func bulkSendsDeletionsOfGradesClearedSince() throws {
        var (workspace, course) = try firstRun()
        course.projects = ["18.00", "17.00", "16.00", "-"]
        try course.drop(into: workspace)
        let bulk = try workspace.run(at: "2025-10-02T09:00:00Z", mode: .bulk)
        let sent = try workspace.sentResults(bulk)
        #expect(sent.count == 8)
        #expect(sent.contains("canvas-102:1004 tobedeleted"))
    }

    @Test func theWindowJudgesGradedAtOnBothSidesOfTheBoundary() throws {
        var (workspace, course) = try firstRun()
        // Run 2 is 2025-11-15T09:00Z; the window starts 2025-10-16T09:00Z.
        course.homework = ["5.00", "4.00", "7.00", "6.00"]
        course.gradedAt = ["101:1": "2025-10-16T09:01:00Z", "101:2": "2025-10-16T08:59:00Z"]
        try course.drop(into: workspace)
        let summary = try workspace.run(at: "2025-11-15T09:00:00Z")
        #expect(try workspace.sentResults(summary) == ["canvas-101:1001 active fully graded 5"])
        // The older change is not marked sent: bulk still sends it.
        let history = try workspace.ledger().history(ofSection: "S1-4242")
        #expect(history.results["canvas-101:1002"]?.sent == .score(ExactDecimal(8)))
        #expect(history.results["canvas-101:1001"]?.sent == .score(ExactDecimal(5)))
    }

    @Test func pendingVerificationHoldsThenReleases() throws {
        let workspace = try ScenarioWorkspace()
        try workspace.drop("aspire.categories.csv", ScenarioCourse.categories(projectsVerified: ""))
        let course = ScenarioCourse()
        try course.drop(into: workspace)
        let held = try workspace.run(at: "2025-10-01T09:00:00Z")
        #expect(held.exitCode == 0, "a warning is not an error")
        #expect(try workspace.sentResults(held).filter { $0.hasPrefix("canvas-102") }.isEmpty)
        #expect(try workspace.report(held).filter { $0["rule"] == "category-pending-verification" }.count == 1)
        #expect(try workspace.ledger().history(ofSection: "S1-4242").results["canvas-102:1001"] == nil, "held grades are not marked sent")

        // Aspire verifies; a month later the course is dropped again with the same grades.
        try workspace.drop("aspire-verified.categories.csv", ScenarioCourse.categories(projectsVerified: "2025-10-05T00:00:00Z"))
        try course.drop(into: workspace)
        let released = try workspace.run(at: "2025-11-05T09:00:00Z")
        #expect(try workspace.sentResults(released) == (1001...1004).map { "canvas-102:\($0) active fully graded \(18 - ($0 - 1001))" })
    }

    @Test func aNewerBundleOfTheSameCourseCancelsTheOlder() throws {
        let workspace = try ScenarioWorkspace()
        try workspace.drop("aspire.categories.csv", ScenarioCourse.categories())
        var old = ScenarioCourse()
        old.stem = "monday"
        old.homework = ["1.00", "1.00", "1.00", "1.00"]
        try old.drop(into: workspace, modified: Date(timeIntervalSinceNow: -7200))
        var new = ScenarioCourse()
        new.stem = "tuesday"
        try new.drop(into: workspace, modified: Date(timeIntervalSinceNow: -3600))
        let summary = try workspace.run(at: "2025-10-01T09:00:00Z")
        #expect(summary.requests[.cancelled] == 1)
        #expect(try workspace.sentResults(summary).filter { $0.hasPrefix("canvas-101") }.allSatisfy { !$0.hasSuffix(" 1") })
        let cancelled = try workspace.report(summary).filter { $0["rule"] == "superseded" }
        #expect(cancelled.first?["source_file"] == "monday.canvas.json")
        let requests = try workspace.ledger().syncRequests(SyncRequestQuery(status: .cancelled)).requests
        #expect(requests.map(\.bundleStem) == ["monday"])
        #expect(FileManager.default.fileExists(atPath: workspace.root.appendingPathComponent("archive/2025-10-01/\(summary.runID!)/monday.gradebook.csv").path))
    }

    @Test func statusFindsRequestsByEveryKindOfIdAndStatus() throws {
        let workspace = try ScenarioWorkspace()
        try workspace.drop(
            "aspire.categories.csv", ScenarioCourse.categories() + ScenarioCourse.categories(courseID: "5151").split(separator: "\n").dropFirst().joined(separator: "\n") + "\n")
        try ScenarioCourse().drop(into: workspace)
        var broken = ScenarioCourse()
        broken.courseID = "5151"
        broken.stem = "other"
        broken.homework = ["abc", "8.00", "7.00", "6.00"]
        try broken.drop(into: workspace)
        let summary = try workspace.run(at: "2025-10-01T09:00:00Z")
        #expect(summary.exitCode == 1)
        let ledger = try workspace.ledger()
        func ids(_ query: SyncRequestQuery) throws -> [String] { try ledger.syncRequests(query).requests.map(\.sectionSISID) }
        #expect(try ids(SyncRequestQuery(search: "CRS-4242")) == ["S1-4242"])
        #expect(try ids(SyncRequestQuery(search: "S1-5151")) == ["S1-5151"])
        #expect(try ids(SyncRequestQuery(search: "1003")).sorted() == ["S1-4242", "S1-5151"], "a student both requests sent")
        #expect(try ids(SyncRequestQuery(status: .errors)) == ["S1-5151"])
        #expect(try ids(SyncRequestQuery(status: .success)) == ["S1-4242"])
        for status in [SyncRequestStatus.inQueue, .inProgress, .failed, .cancelled] {
            #expect(try ids(SyncRequestQuery(status: status)).isEmpty)
        }
        #expect(try ids(SyncRequestQuery(runID: summary.runID)).count == 2)
        #expect(try ledger.syncRequests(SyncRequestQuery()).counts == [.success: 1, .errors: 1])
    }
}

@Suite struct CategoryExportOrderTests {
    @Test func theNewerOfTwoExportsInOneRunWins() throws {
        let workspace = try ScenarioWorkspace()
        // "a-new" sorts first by name but is newer by modification time: it must win.
        let old = ScenarioCourse.categories()
        let new = old.replacingOccurrences(of: "PR,Projects", with: "PR2,Projects")
        try workspace.drop("a-new.categories.csv", new, modified: Date(timeIntervalSinceNow: -600))
        try workspace.drop("b-old.categories.csv", old, modified: Date(timeIntervalSinceNow: -7200))
        try workspace.run(at: "2025-10-01T09:00:00Z")
        let catalog = try workspace.ledger().categoryCatalog()
        #expect(catalog.categories(term: "T1", section: "S1-4242").map(\.categorySourcedID) == ["HW", "PR2"])
    }
}
