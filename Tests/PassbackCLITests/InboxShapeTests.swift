import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Inboxes shaped as registrars shape them, found by a trial as an attacker with the registrars'
/// access: one drop must never stop the district's nights, nor make files silently skipped.
@Suite struct InboxShapeTests {
    static let clock = "2025-10-01T09:00:00Z"

    /// A folder for each teacher: the walk held a descriptor for every folder it had listed, and
    /// at ~1,000 (the usual soft limit, systemd's default too) skipped the rest as "cannot be
    /// listed", their bundles never claimed and nothing in the report.
    @Test func manySubfoldersAreAllWalked() throws {
        let base = try CommandRunner.temporaryFolder("many-folders")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let district = DistrictInbox(courses: 2, students: 3, assignments: 2)
        _ = try district.write(to: root)
        let inbox = root.appendingPathComponent("inbox")
        for i in 1...300 {
            try FileManager.default.createDirectory(at: inbox.appendingPathComponent(String(format: "teacher-%03d", i)), withIntermediateDirectories: false)
        }
        for name in ["course-7001.gradebook.csv", "course-7001.canvas.json"] {
            try FileManager.default.moveItem(at: inbox.appendingPathComponent(name), to: inbox.appendingPathComponent("teacher-300/\(name)"))
        }
        // 128 descriptors: fewer than the folders, as 1,024 are fewer than a large district's.
        let result = try CommandRunner.runShell("ulimit -n 128 && exec \"$0\" run --root \"$1\" --now \"$2\"", arguments: [CommandRunner.binary.path, root.path, Self.clock])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("cannot be listed"), "\(result.stderr)")
        let ledger = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        #expect(try ledger.history(ofSection: "SEC-7001").results.count == 3 * 2)
    }

    /// A file nested so deep that its path below `work/<run id>/` passes the system's limit: every
    /// run stopped with "File name too long" (exit 3), night after night. It is quarantined with
    /// its reason, and the rest of the district is sent.
    @Test func aFileNestedTooDeepIsQuarantinedAndTheRunGoesOn() throws {
        let base = try CommandRunner.temporaryFolder("deep")
        // rm walks by descriptors; a removal by path cannot reach the deepest files.
        defer { _ = try? CommandRunner.runShell("rm -rf \"$0\"", arguments: [base.path]) }
        let root = base.appendingPathComponent("root")
        let district = DistrictInbox(courses: 2, students: 3, assignments: 2)
        _ = try district.write(to: root)
        let longest = InboxScanner.longestRelativePath(inbox: root.appendingPathComponent("inbox"))
        // 100-byte folder names, deep enough to pass the limit, made by descriptors (the path
        // itself is too long for a call by path).
        let depth = longest / 101 + 1
        let inbox = open(root.appendingPathComponent("inbox").path, O_RDONLY | O_DIRECTORY)
        var folder = dup(inbox)
        let name = String(repeating: "D", count: 100)
        for _ in 0..<depth {
            #expect(mkdirat(folder, name, 0o700) == 0)
            let next = openat(folder, name, O_RDONLY | O_DIRECTORY)
            close(folder)
            folder = next
        }
        for file in ["course-7000.gradebook.csv", "course-7000.canvas.json"] {
            #expect(renameat(inbox, file, folder, file) == 0)
        }
        close(folder)
        close(inbox)
        for night in 1...2 {
            let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
            // Exit 1: the report has the refused files; never 3.
            #expect(result.status == (night == 1 ? 1 : 0), "night \(night): \(result.stderr)")
        }
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251001T090000Z-01.csv"), encoding: .utf8)
        #expect(report.contains("more than passback can open once it is claimed (\(longest)); move it into a folder nearer the top of the inbox"), "\(report)")
        let ledger = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        #expect(try ledger.history(ofSection: "SEC-7001").results.count == 3 * 2)
        #expect(try ledger.history(ofSection: "SEC-7000").results.isEmpty)
        // Nothing is left in the inbox or work/ to stop the next night.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("work").path).isEmpty)
    }

    /// A bundle whose gradebook is refused (here too large): its partner's reason said the
    /// gradebook "did not arrive", and it waited a day for it.
    @Test func aPartnerOfARefusedFileSaysSoAndDoesNotWait() throws {
        let base = try CommandRunner.temporaryFolder("partner")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        _ = try DistrictInbox(courses: 2, students: 3, assignments: 2).write(to: root)
        try Data("settle_seconds = 0\nmax_input_bytes = 1024\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        let big = root.appendingPathComponent("inbox/course-7000.gradebook.csv")
        let handle = try FileHandle(forWritingTo: big)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0x0A, count: 2048))
        try handle.close()
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "\(result.stderr)")
        let reason = try String(contentsOf: root.appendingPathComponent("quarantine/20251001T090000Z-01/course-7000.canvas.json.reason.txt"), encoding: .utf8)
        #expect(
            reason
                == "incomplete-bundle: Held with its partner: course-7000.gradebook.csv was refused (its reason is beside it). Fix that file and drop both files of the course together.\n"
        )
    }

    /// A registrar dropped `dup.txt` and `dup.txt.reason.txt` ("fake reason: all good") together:
    /// the second, quarantined after the first, replaced passback's reason for it.
    @Test func aDroppedFileNeverReplacesAReasonInQuarantine() throws {
        let base = try CommandRunner.temporaryFolder("fake-reason")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        _ = try DistrictInbox(courses: 1, students: 2, assignments: 1).write(to: root)
        try Data("hello".utf8).write(to: root.appendingPathComponent("inbox/dup.txt"))
        try Data("fake reason: all good".utf8).write(to: root.appendingPathComponent("inbox/dup.txt.reason.txt"))
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "\(result.stderr)")
        let quarantine = root.appendingPathComponent("quarantine/20251001T090000Z-01")
        let reason = try String(contentsOf: quarantine.appendingPathComponent("dup.txt.reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("unknown-file: "), "\(reason)")
        // The registrar's file is kept, under a free name, with its own reason.
        #expect(try String(contentsOf: quarantine.appendingPathComponent("dup.txt.reason.txt~2"), encoding: .utf8) == "fake reason: all good")
        let its = try String(contentsOf: quarantine.appendingPathComponent("dup.txt.reason.txt~2.reason.txt"), encoding: .utf8)
        #expect(its.contains("File: dup.txt.reason.txt, kept as dup.txt.reason.txt~2"), "\(its)")
    }

    /// The other order: the dropped `x.reason.txt` is refused at listing, before `x` is claimed
    /// and rejected (a category export that cannot be read). Passback's reason for `x` used to be
    /// renamed over the registrar's file; now `x` goes under a name whose reason name is free.
    @Test func aReasonWrittenLaterNeverReplacesADroppedFileInQuarantine() throws {
        let base = try CommandRunner.temporaryFolder("fake-reason-first")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        _ = try DistrictInbox(courses: 1, students: 2, assignments: 1).write(to: root)
        try Data("this is not a category export\n".utf8).write(to: root.appendingPathComponent("inbox/bad.categories.csv"))
        try Data("fake reason: all good".utf8).write(to: root.appendingPathComponent("inbox/bad.categories.csv.reason.txt"))
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "\(result.stderr)")
        let quarantine = root.appendingPathComponent("quarantine/20251001T090000Z-01")
        // The registrar's file, as dropped, with its own reason.
        #expect(try String(contentsOf: quarantine.appendingPathComponent("bad.categories.csv.reason.txt"), encoding: .utf8) == "fake reason: all good")
        let its = try String(contentsOf: quarantine.appendingPathComponent("bad.categories.csv.reason.txt.reason.txt"), encoding: .utf8)
        #expect(its.hasPrefix("unknown-file: "), "\(its)")
        // The export, under a free name, and passback's reason for it beside that.
        #expect(try String(contentsOf: quarantine.appendingPathComponent("bad.categories.csv~2"), encoding: .utf8) == "this is not a category export\n")
        let reason = try String(contentsOf: quarantine.appendingPathComponent("bad.categories.csv~2.reason.txt"), encoding: .utf8)
        #expect(reason.contains("File: bad.categories.csv, kept as bad.categories.csv~2"), "\(reason)")
        #expect(!reason.contains("fake reason"))
    }
}
