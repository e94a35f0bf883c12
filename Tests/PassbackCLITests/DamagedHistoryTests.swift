import Foundation
import Testing

@testable import PassbackCore

/// A damaged section history in the ledger (issue 12, item 2): version 1 stopped every run on it
/// forever ("the next run finishes it"). Now the bundles that send to that section are set aside,
/// naming it, and the rest of the district goes on; a `--bulk` run records the section anew.
@Suite(.serialized) struct DamagedHistoryTests {
    @Test func aDamagedHistoryQuarantinesItsCourseNamingTheSectionAndBulkRecordsItAnew() throws {
        let base = try CommandRunner.temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let district = DistrictInbox(courses: 4, students: 4, assignments: 3)
        let staging = base.appendingPathComponent("staging")
        _ = try district.write(to: staging)
        _ = try district.write(to: root)
        #expect(try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-01T09:00:00Z"]).status == 0)

        let ledgerPath = root.appendingPathComponent("state/ledger.sqlite").path
        let damage = try CommandRunner.runShell("sqlite3 \"$0\" \"UPDATE section_history SET history = x'01ff' WHERE class_sourced_id = 'SEC-7002'\"", arguments: [ledgerPath])
        #expect(damage.status == 0, "\(damage.stderr)")

        // Two courses come again with a changed grade; one of them sends to the damaged section.
        func dropChanged(_ id: Int, score: String) throws {
            let source = staging.appendingPathComponent("inbox/course-\(id).gradebook.csv")
            let text = try String(contentsOf: source, encoding: .utf8).replacingOccurrences(of: ",9.00", with: ",\(score)")
            try Data(text.utf8).write(to: root.appendingPathComponent("inbox/course-\(id).gradebook.csv"))
            try FileManager.default.copyItem(
                at: staging.appendingPathComponent("inbox/course-\(id).canvas.json"), to: root.appendingPathComponent("inbox/course-\(id).canvas.json"))
        }
        try dropChanged(7002, score: "8.00")
        try dropChanged(7003, score: "8.00")
        let incremental = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-02T09:00:00Z"])
        #expect(incremental.status == 1, "the run goes on and reports the course: \(incremental.stderr)")
        let reason = try String(contentsOf: root.appendingPathComponent("quarantine/20251002T090000Z-01/course-7002.gradebook.csv.reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("damaged-history: The ledger's record of what Aspire section SEC-7002 holds is damaged"), "\(reason)")
        #expect(reason.contains("run passback run --bulk"))
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        #expect(try ledger.history(ofSection: "SEC-7003").results.values.contains { $0.sent?.description == "8" || $0.sent?.description == "8.00" }, "the other course was sent")

        // Dropped again and run in bulk: every grade goes out and the section is recorded anew.
        try dropChanged(7002, score: "8.00")
        let bulk = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-03T09:00:00Z", "--bulk"])
        #expect(bulk.status == 0, "\(bulk.stderr)")
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251003T090000Z-01.csv"), encoding: .utf8)
        #expect(report.contains(",warning,damaged-history,"))
        #expect(!(try ledger.history(ofSection: "SEC-7002").results.isEmpty), "the section's history decodes again")
    }
}
