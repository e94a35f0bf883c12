import Foundation
import Testing

@testable import PassbackCore

/// A `-wal` lost between runs loses nothing (issue 12): every run ends with
/// `PRAGMA wal_checkpoint(TRUNCATE)`, so `ledger.sqlite` alone holds every committed run.
///
/// Without it, SQLite moved the `-wal` into `ledger.sqlite` only when the run's last connection
/// closed and no other process had the ledger open. When one had (a `passback status` at that
/// moment, a monitoring query, an operator's `sqlite3` shell), the whole night stayed in
/// `ledger.sqlite-wal` (560 KB for 9 courses, `ledger.sqlite` untouched), and a backup or restore
/// that copied `ledger.sqlite` alone lost it: the next run knew nothing of it and sent it all
/// again.
@Suite(.serialized) struct FaultLostWALTests {
    static let district = DistrictInbox(courses: 6, students: 5, assignments: 4)

    func run(_ root: URL, at clock: String) throws -> CommandRunner.Result {
        try CommandRunner.run(["run", "--root", root.path, "--now", clock])
    }

    /// Deletes `state/ledger.sqlite-wal` and `-shm`; returns the `-wal`'s size (0 when absent).
    func loseTheWAL(_ root: URL) throws -> Int {
        let wal = root.appendingPathComponent("state/ledger.sqlite-wal").path
        let size = ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? NSNumber)?.intValue ?? 0
        for suffix in ["-wal", "-shm"] {
            let path = root.appendingPathComponent("state/ledger.sqlite\(suffix)").path
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
        return size
    }

    @Test func aRunAfterTheWALWasLostSeesTheRunBeforeIt() throws {
        let base = try CommandRunner.temporaryFolder("lost-wal")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let staging = base.appendingPathComponent("staging")
        _ = try Self.district.write(to: staging)
        _ = try Self.district.write(to: root)

        // A reader has the ledger open while the run ends, and closes it after.
        var reader: Ledger? = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        #expect(try reader?.runIDs().isEmpty == true)
        let first = try run(root, at: "2025-10-01T09:00:00Z")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try reader?.runIDs() == ["20251001T090000Z-01"])
        reader = nil
        let walBytes = try loseTheWAL(root)
        #expect(walBytes == 0, "the run left \(walBytes) bytes in ledger.sqlite-wal")

        // status reads the first run from ledger.sqlite alone.
        let status = try CommandRunner.run(["status", "--root", root.path, "--runs"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("20251001T090000Z-01"), "\(status.stdout)")

        // The same courses again, one grade changed: only that grade goes out.
        for id in [7000, 7001] {
            for kind in ["gradebook.csv", "canvas.json"] {
                try FileManager.default.copyItem(at: staging.appendingPathComponent("inbox/course-\(id).\(kind)"), to: root.appendingPathComponent("inbox/course-\(id).\(kind)"))
            }
        }
        let gradebook = root.appendingPathComponent("inbox/course-7001.gradebook.csv")
        let text = try String(contentsOf: gradebook, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "\"Student, 0\",7001000,7801000,u7001000,Period 1,EX,7.50,", with: "\"Student, 0\",7001000,7801000,u7001000,Period 1,EX,6.50,")
        #expect(changed != text)
        try Data(changed.utf8).write(to: gradebook)
        let second = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("run 20251002T090000Z-01:"), "\(second.stdout)")

        // The second run knew the first's histories: course 7000 is a duplicate, course 7001 sent
        // one result, and nothing went out twice.
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251002T090000Z-01.csv"), encoding: .utf8)
        #expect(report.contains(",skipped,duplicate-file,"), "\(report)")
        let outbox = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path).filter { $0.hasPrefix("20251002T090000Z-01_") }
        #expect(outbox == ["20251002T090000Z-01_SEC-7001.xml"])
        let sent = try outbox.flatMap { try Invariants.results(inFile: root.appendingPathComponent("outbox/\($0)").path) }
        #expect(sent.map(\.0) == ["canvas-700101:7801000"] && sent.map(\.1) == ["6.5"], "\(sent)")
        #expect(try loseTheWAL(root) == 0)
        let runs = try CommandRunner.run(["status", "--root", root.path, "--runs"]).stdout
        #expect(runs.contains("20251001T090000Z-01") && runs.contains("20251002T090000Z-01"), "\(runs)")
    }
}
