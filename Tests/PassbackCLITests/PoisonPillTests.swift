import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// One bundle that kills every run that prepares it (issue 12, item 2): version 1 resumed the run
/// every night and was killed again, so nothing was ever sent and new drops were never claimed.
/// Now the run after each stop counts it against the bundles in flight, and the run after the
/// second stop on the same bundle quarantines it unread (`stopped-twice`) and finishes the rest.
@Suite(.serialized) struct PoisonPillTests {
    static let clock = "2025-10-01T09:00:00Z"

    @Test func aBundleThatStopsTwoRunsIsQuarantinedAndTheDistrictGoesOn() throws {
        let base = try CommandRunner.temporaryFolder("poison")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let district = DistrictInbox(courses: 12, students: 4, assignments: 3)
        var inputs = try district.write(to: root)
        let poison = ["PASSBACK_POISON": "course-7005", "PASSBACK_WORKERS": "1"]

        for night in 1...2 {
            let killed = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: poison)
            #expect(killed.signal == SIGKILL, "night \(night): \(killed.stderr)")
            try Invariants.check(root: root, inputs: inputs, finished: false)
        }
        // A new drop waits behind the unfinished run; night 3 takes both.
        let late = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox")
        for name in ["algebra-1.gradebook.csv", "algebra-1.canvas.json"] {
            try FileManager.default.copyItem(at: late.appendingPathComponent(name), to: root.appendingPathComponent("inbox/\(name)"))
        }
        inputs += ["algebra-1.gradebook.csv", "algebra-1.canvas.json"]
        let third = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: poison)
        #expect(third.signal == nil, "the poison bundle is not prepared a third time: \(third.stderr)")
        #expect(third.status == 1, "\(third.stderr)")
        #expect(third.stdout.contains("finished interrupted run 20251001T090000Z-01"), "\(third.stdout)")
        try Invariants.check(root: root, inputs: inputs, finished: true)

        let quarantine = root.appendingPathComponent("quarantine/20251001T090000Z-01")
        let reason = try String(contentsOf: quarantine.appendingPathComponent("course-7005.gradebook.csv.reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("stopped-twice: 2 runs stopped while preparing this course"), "\(reason)")
        #expect(FileManager.default.fileExists(atPath: quarantine.appendingPathComponent("course-7005.canvas.json").path))
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251001T090000Z-01.csv"), encoding: .utf8)
        #expect(report.contains(",error,stopped-twice,"))
        // Every other course was sent, and the late drop was claimed by a new run.
        let ledger = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        for section in district.sections where section != "SEC-7005" {
            #expect(!(try ledger.history(ofSection: section).results.isEmpty), "\(section) was not sent")
        }
        #expect(try ledger.history(ofSection: "SEC-7005").results.isEmpty)
        #expect(third.stdout.contains("run 20251001T090000Z-02:"), "the late drop: \(third.stdout)")
    }

    /// A bundle whose XML a killed run had already published, then in flight at two more stops
    /// (kills from outside: an operator, a power cut), is not a poison pill (it was prepared once);
    /// set aside, its grades would be in `outbox/` for Aspire while the ledger never learnt they
    /// were sent, and sent again when the course was dropped again. It is prepared again and its
    /// published file adopted (seen by the random-kill test).
    @Test func aBundleWhosePublishedFileWaitsForItsRecordIsNeverSetAside() throws {
        let base = try CommandRunner.temporaryFolder("poison-published")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let district = DistrictInbox(courses: 4, students: 3, assignments: 2)
        let inputs = try district.write(to: root)
        let one = ["PASSBACK_WORKERS": "1"]
        // Killed right after the first course's XML was published, before the ledger knew.
        let first = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: one.merging(["PASSBACK_CRASH_AT": "after-xml-published:1"]) { $1 })
        #expect(first.signal == SIGKILL, "\(first.stderr)")
        let published = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path)
        #expect(published.contains("20251001T090000Z-01_SEC-7000.xml"), "\(published)")
        // Two more runs die while preparing that course again.
        for _ in 1...2 {
            let killed = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: one.merging(["PASSBACK_POISON": "course-7000"]) { $1 })
            #expect(killed.signal == SIGKILL, "\(killed.stderr)")
        }
        let last = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: one)
        #expect(last.status == 0, "\(last.stderr)")
        try Invariants.check(root: root, inputs: inputs, finished: true)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("quarantine/20251001T090000Z-01/course-7000.gradebook.csv").path))
        let ledger = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        #expect(try ledger.history(ofSection: "SEC-7000").results.count == 3 * 2)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path).sorted() == (7000..<7004).map { "20251001T090000Z-01_SEC-\($0).xml" })
    }
}
