import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// The ledger's faults (issue 12, item 5): a missing, empty, replaced or damaged ledger is refused
/// before anything is claimed; a ledger restored from a backup takes the workspace back, with the
/// work folders it does not know returned to the inbox and run ids that never repeat; an outbox
/// file is adopted only when it is what the run would have written.
@Suite(.serialized) struct LedgerFaultTests {
    static let clock = "2025-10-01T09:00:00Z"

    func run(_ root: URL, at clock: String = LedgerFaultTests.clock, environment: [String: String] = [:]) throws -> CommandRunner.Result {
        try CommandRunner.run(["run", "--root", root.path, "--now", clock], environment: environment)
    }

    func removeLedger(_ root: URL) throws {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: root.appendingPathComponent("state/ledger.sqlite" + suffix))
        }
    }

    func sqlite(_ database: URL, _ statement: String) throws {
        let result = try CommandRunner.runShell("sqlite3 \"$0\" \"$1\"", arguments: [database.path, statement])
        #expect(result.status == 0, "sqlite3: \(result.stderr)")
    }

    @Test func aMissingLedgerInAWorkspaceWithEarlierRunsIsRefused() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try run(root).status == 1)
        try removeLedger(root)
        let refused = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("state/ledger.sqlite is missing, but this workspace has earlier runs (reports/, outbox/, archive/, quarantine/"), "\(refused.stderr)")
        #expect(refused.stderr.contains("Restore state/ledger.sqlite from its backup"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("state/ledger.sqlite").path), "no ledger was made afresh")
        // Without the id file as well, the folders still tell.
        try FileManager.default.removeItem(at: root.appendingPathComponent("state/ledger.id"))
        #expect(try run(root, at: "2025-10-02T09:00:00Z").status == 2)
    }

    @Test func anEmptyLedgerIsRefused() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try run(root).status == 1)
        try removeLedger(root)
        try Data().write(to: root.appendingPathComponent("state/ledger.sqlite"))
        let refused = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("state/ledger.sqlite is empty"), "\(refused.stderr)")
    }

    @Test func anotherWorkspacesLedgerIsRefused() throws {
        let root = try CommandRunner.sampleWorkspace()
        let other = try CommandRunner.sampleWorkspace()
        defer {
            try? FileManager.default.removeItem(at: root.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: other.deletingLastPathComponent())
        }
        #expect(try run(root).status == 1)
        #expect(try run(other).status == 1)
        try removeLedger(root)
        try FileManager.default.copyItem(at: other.appendingPathComponent("state/ledger.sqlite"), to: root.appendingPathComponent("state/ledger.sqlite"))
        let refused = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not this workspace's"), "\(refused.stderr)")
    }

    @Test func aDamagedLedgerIsRefusedBeforeAnythingIsClaimed() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try run(root).status == 1)
        let ledger = root.appendingPathComponent("state/ledger.sqlite")
        try sqlite(ledger, "PRAGMA wal_checkpoint(TRUNCATE)")
        // Overwrite the middle of a table's page with garbage (the header stays readable).
        let handle = try FileHandle(forUpdating: ledger)
        let size = try handle.seekToEnd()
        #expect(size > 5 * 4096)
        try handle.seek(toOffset: 3 * 4096 + 16)
        handle.write(Data(repeating: 0xA5, count: 4000))
        try handle.close()
        try Data("x".utf8).write(to: root.appendingPathComponent("inbox/new.categories.csv"))
        let refused = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("is damaged") || refused.stderr.contains("cannot be opened"), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("inbox/new.categories.csv").path), "nothing was claimed")
    }

    /// The README's restore procedure, followed after a night whose ledger was lost: the backup
    /// taken after night 1 comes back; night 2's inputs, claimed by a run the backup never heard
    /// of, go back to the inbox and are processed; no run id is used twice; nothing is lost.
    @Test func aLedgerRestoredFromItsBackupTakesTheWorkspaceBack() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try run(root).status == 1)
        let backup = root.deletingLastPathComponent().appendingPathComponent("ledger-backup.sqlite")
        try sqlite(root.appendingPathComponent("state/ledger.sqlite"), "VACUUM INTO '\(backup.path)'")

        // Night 2: a course is dropped again and the run dies right after claiming it.
        let samples = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox")
        for name in ["algebra-1.gradebook.csv", "algebra-1.canvas.json"] {
            try FileManager.default.copyItem(at: samples.appendingPathComponent(name), to: root.appendingPathComponent("inbox/\(name)"))
        }
        let killed = try run(root, at: "2025-10-02T09:00:00Z", environment: ["PASSBACK_CRASH_AT": CrashPoint.afterClaim.rawValue])
        #expect(killed.signal == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("work/20251002T090000Z-01/algebra-1.canvas.json").path))

        // The ledger is lost; the backup is restored as the README says.
        try removeLedger(root)
        try FileManager.default.copyItem(at: backup, to: root.appendingPathComponent("state/ledger.sqlite"))
        let restored = try run(root, at: "2025-10-02T09:00:00Z")
        #expect(restored.status == 1, "\(restored.stderr)")
        // The killed run's id is not used again: the backup never heard of it, the folders did.
        #expect(restored.stdout.contains("run 20251002T090000Z-02:"), "\(restored.stdout)")
        #expect(restored.stderr.contains("files of a run the ledger does not know were put back into the inbox"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("work/20251002T090000Z-01").path))
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251002T090000Z-02.csv"), encoding: .utf8)
        #expect(report.contains("The files of run 20251002T090000Z-01, which the ledger does not know"))
        // Both files of the course were claimed again and processed by the new run.
        let archived = root.appendingPathComponent("archive/2025-10-02/20251002T090000Z-02")
        let quarantined = root.appendingPathComponent("quarantine/20251002T090000Z-02")
        let placed =
            ((try? FileManager.default.contentsOfDirectory(atPath: archived.path)) ?? []) + ((try? FileManager.default.contentsOfDirectory(atPath: quarantined.path)) ?? [])
        #expect(placed.contains("algebra-1.gradebook.csv") && placed.contains("algebra-1.canvas.json"), "\(placed)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path).isEmpty)
    }

    /// An outbox file under the name a resumed run would publish, but not what it would write, is
    /// neither adopted nor replaced: the run stops (exit 3) and says why.
    @Test func anOutboxFileWithOtherContentIsNotAdopted() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let killed = try run(root, environment: ["PASSBACK_CRASH_AT": CrashPoint.afterXMLPublished.rawValue])
        #expect(killed.signal == SIGKILL)
        let outbox = root.appendingPathComponent("outbox")
        let published = try #require(try FileManager.default.contentsOfDirectory(atPath: outbox.path).first)
        let file = outbox.appendingPathComponent(published)
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "<Score>", with: "<Score>1")
        try Data(text.utf8).write(to: file)

        let stopped = try run(root)
        #expect(stopped.status == 3, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("outbox/\(published) exists with other content than this run wrote for it"), "\(stopped.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == text, "the file was left as it was")
    }
}
