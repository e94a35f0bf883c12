import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The command line's promises (spec section 7): exit statuses and one-line reasons.
@Suite struct ExitStatusTests {
    /// A new workspace, made by `passback init` as every workspace is.
    func emptyWorkspace() throws -> URL {
        let root = try CommandRunner.temporaryFolder("exit").appendingPathComponent("root")
        try CommandRunner.initWorkspace(root)
        return root
    }

    @Test func anEmptyInboxIsNothingToDo() throws {
        let root = try emptyWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", "2026-11-27T09:00:00Z"])
        #expect(result.status == 0)
        #expect(result.stdout == "nothing to do\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("reports").path).isEmpty)
        let status = try CommandRunner.run(["status", "--root", root.path])
        #expect(status.status == 0)
    }

    @Test func anotherRunHoldingTheLockExits75() throws {
        let root = try emptyWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let fd = open(root.appendingPathComponent("state/run.lock").path, O_RDWR | O_CREAT, 0o600)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let result = try CommandRunner.run(["run", "--root", root.path])
        #expect(result.status == 75)
        #expect(result.stderr.contains("another passback run holds the lock"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        // init and prune wait for no run either.
        let initAgain = try CommandRunner.run(["init", "--root", root.path])
        #expect(initAgain.status == 75)
        #expect(initAgain.stderr == "passback: a passback run holds the lock of \(root.path); run init again when it has finished\n")
        let prune = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "30"])
        #expect(prune.status == 75)
        #expect(prune.stderr == "passback: a passback run holds the lock of \(root.path); prune again when it has finished\n")
    }

    @Test(arguments: [
        ("name_length_limit = \"fifty\"\n", "name_length_limit must be a whole number"),
        ("colour = \"blue\"\n", "unknown setting 'colour'"),
        ("time_zone = \"Nowhere/Special\"\n", "passback.toml: unknown time zone"),
        // Checked by every command that reads the settings, not first by the night's fetch.
        ("[canvas]\nurl = \"http://canvas.example.edu\"\n", "passback.toml: canvas.url 'http://canvas.example.edu' is plain http"),
        ("[hooks]\nafter_run = \"/bin/true --quiet\"\n", "hooks.after_run must be a list of strings"),
        ("[hooks]\nafter_run = [\"/bin/true\"]\nshell = true\n", "unknown setting 'hooks.shell'"),
    ])
    func badSettingsExit2(settings: String, reason: String) throws {
        let root = try emptyWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try settings.write(to: root.appendingPathComponent("passback.toml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["run", "--root", root.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(reason), "\(result.stderr)")
    }

    @Test func badArgumentsExit2() throws {
        #expect(try CommandRunner.run(["run", "--now", "yesterday"]).status == 2)
        #expect(try CommandRunner.run(["run", "--frobnicate"]).status == 2)
        // A negative number is read as the value and refused with the reason (ArgumentParser took
        // "-1" for an option and said "Missing value").
        let negative = try CommandRunner.run(["status", "--limit", "-1"])
        #expect(negative.status == 2)
        #expect(negative.stderr.contains("--limit must be 1 or more"), "\(negative.stderr)")
        let file = try CommandRunner.temporaryFolder("notdir").appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let unusable = try CommandRunner.run(["run", "--root", file.path])
        #expect(unusable.status == 2)
        #expect(unusable.stderr == "passback: \(file.path) is not a folder, so it cannot be a passback workspace\n")
    }

    /// A run that starts and cannot finish (here its inputs cannot be archived) exits 3 with a
    /// reason that says what to do (spec v2); it was 1, the code for "the report has errors".
    /// The next run, once the cause is gone, finishes it under its own id.
    @Test func aRunThatStopsPartWayExits3AndTheNextFinishesIt() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        // A first invocation on an empty inbox makes the ledger; then the archive's folder for
        // the run's date is taken by a file, which the run cannot replace.
        let inbox = root.appendingPathComponent("inbox")
        let aside = root.deletingLastPathComponent().appendingPathComponent("inbox-aside")
        try FileManager.default.moveItem(at: inbox, to: aside)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        #expect(try CommandRunner.run(["run", "--root", root.path]).status == 0)
        try FileManager.default.removeItem(at: inbox)
        try FileManager.default.moveItem(at: aside, to: inbox)
        let blocker = root.appendingPathComponent("archive/2025-10-01")
        try Data("x".utf8).write(to: blocker)
        let stopped = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-01T09:00:00Z"])
        #expect(stopped.status == 3, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("run 20251001T090000Z-01 stopped part-way"))
        #expect(stopped.stderr.contains("the next run finishes it"))
        #expect(stopped.stderr.split(separator: "\n").last?.hasPrefix("passback: ") == true)

        try FileManager.default.removeItem(at: blocker)
        let next = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-01T10:00:00Z"])
        #expect(next.status == 1, "the samples have errors: \(next.stderr)")
        #expect(next.stdout.contains("finished interrupted run 20251001T090000Z-01"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("reports/20251001T090000Z-01.csv").path))
    }

    /// Issue 12, item 6: a system clock earlier than the last finished run's is refused (it would
    /// date grades before those sent); `--now` is how a replay at an earlier time is asked for.
    @Test func aClockThatWentBackIsRefusedUnlessNowIsGiven() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try CommandRunner.run(["run", "--root", root.path, "--now", "2099-01-01T09:00:00Z"]).status == 1)
        try Data("x".utf8).write(to: root.appendingPathComponent("inbox/late.categories.csv"))
        let refused = try CommandRunner.run(["run", "--root", root.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("earlier than the clock of the last finished run (2099-01-01T09:00:00Z)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("give --now"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("inbox/late.categories.csv").path), "nothing was claimed")
        let replay = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-02T09:00:00Z"])
        #expect(replay.status == 1, "a chosen earlier clock runs: \(replay.stderr)")
    }

    @Test func helpAndVersionExit0() throws {
        let help = try CommandRunner.run(["run", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--bulk"))
        #expect(help.stdout.contains("75"))
        #expect(try CommandRunner.run(["--version"]).status == 0)
    }

    @Test func validateExitStatuses() throws {
        let missing = try CommandRunner.run(["validate", "/nonexistent/x.gradebook.csv"])
        #expect(missing.status == 2)
        let inbox = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox")
        let good = try CommandRunner.run(["validate", inbox.appendingPathComponent("aspire-702-Q1.categories.csv").path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("read: 7 categories for 3 sections"))
        #expect(good.stdout.hasSuffix("ok: 1 file(s) checked; a run would report no error\n"))
        let bad = try CommandRunner.run(["validate", inbox.appendingPathComponent("aspire-702-Q2.categories.csv").path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("aspire-702-Q2.categories.csv:3: error malformed-file"))
        // A course's two files, each read and noted, then the rules' findings.
        let course = try CommandRunner.run(["validate", inbox.appendingPathComponent("algebra-1.gradebook.csv").path])
        #expect(course.status == 1)
        #expect(course.stdout.contains("algebra-1.gradebook.csv: read: 6 students, 12 assignments"))
        #expect(course.stdout.contains("algebra-1.canvas.json: read: course 4242, 3 sections, 13 assignments"))
        #expect(course.stdout.contains("error name-too-long assignment 1002"))
    }
}

@Suite struct WorkspaceFilesystemTests {
    @Test func anInboxOnAnotherFilesystemRefusesToStart() throws {
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return }
        let base = try CommandRunner.temporaryFolder("fs")
        let elsewhere = URL(fileURLWithPath: "/dev/shm/passback-inbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: base)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        let root = base.appendingPathComponent("root")
        try CommandRunner.initWorkspace(root)
        try FileManager.default.removeItem(at: root.appendingPathComponent("inbox"))
        var rootInfo = stat()
        var shmInfo = stat()
        stat(root.path, &rootInfo)
        stat(elsewhere.path, &shmInfo)
        guard rootInfo.st_dev != shmInfo.st_dev else { return }  // same filesystem here: nothing to prove
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("inbox"), withDestinationURL: elsewhere)
        let result = try CommandRunner.run(["run", "--root", root.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("another filesystem"))
    }
}
