import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What version 1 got wrong for the people around the pipeline (issue 13), each as the built
/// binary answers it now: exact messages and exit statuses, as the README's table lists them.
@Suite struct OperatorCommandTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    // MARK: Workspaces are made by init, never by accident

    @Test func aFolderThatIsNotAWorkspaceIsRefusedByEveryCommand() throws {
        let base = try CommandRunner.temporaryFolder("typo")
        defer { try? FileManager.default.removeItem(at: base) }
        let typo = base.appendingPathComponent("typo").path
        let reason = "passback: \(typo) is not a passback workspace: it does not exist. Make one with: passback init --root \(typo) [--group NAME]\n"
        for arguments in [
            ["run", "--root", typo], ["status", "--root", typo], ["watch", "--root", typo, "--daily-at", "02:00"], ["prune", "--root", typo, "--older-than", "30"],
            ["validate", "--root", typo], ["fetch", "--root", typo, "--canvas-url", "https://canvas.example.edu", "--course", "1"],
        ] {
            // (Version 1's watch made the workspace and stayed: killed after a minute.)
            let result = try CommandRunner.run(arguments, killAfter: 60)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == reason, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: typo), "a workspace was made by accident")
        // An existing folder that is not a workspace.
        let plain = base.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: plain.appendingPathComponent("inbox"), withIntermediateDirectories: true)
        let result = try CommandRunner.run(["run", "--root", plain.path])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "passback: \(plain.path) is not a passback workspace (it has no inbox/ and state/ folders). Make one with: passback init --root \(plain.path) [--group NAME]\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: plain.path) == ["inbox"])
    }

    @Test func aWorkspaceInsideAnotherIsRefused() throws {
        let base = try CommandRunner.temporaryFolder("nested")
        defer { try? FileManager.default.removeItem(at: base) }
        let ws = base.appendingPathComponent("ws")
        try CommandRunner.initWorkspace(ws)
        let inbox = ws.appendingPathComponent("inbox").path
        let run = try CommandRunner.run(["run", "--root", inbox])
        #expect(run.status == 2)
        #expect(run.stderr == "passback: \(inbox) is the inbox/ folder of the workspace \(ws.path); use --root \(ws.path)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox).isEmpty, "something was made in the inbox")
        let status = try CommandRunner.run(["status", "--root", inbox])
        #expect(status.status == 2)
        let deeper = ws.appendingPathComponent("inbox/district").path
        let made = try CommandRunner.run(["init", "--root", deeper])
        #expect(made.status == 2)
        #expect(made.stderr == "passback: \(deeper) is inside the inbox/ folder of the workspace \(ws.path); a workspace cannot be made there\n")
        // Through a link, too.
        let link = base.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: ws.appendingPathComponent("reports").path)
        let linked = try CommandRunner.run(["init", "--root", link.path])
        #expect(linked.status == 2)
        #expect(linked.stderr.contains("is the reports/ folder of the workspace \(ws.path)"), "\(linked.stderr)")
    }

    @Test func initMakesAWorkspaceAndSaysSoThenFindsItInOrder() throws {
        let base = try CommandRunner.temporaryFolder("init")
        defer { try? FileManager.default.removeItem(at: base) }
        let ws = base.appendingPathComponent("ws")
        let made = try CommandRunner.initWorkspace(ws)
        let user = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        #expect(
            made.stdout == """
                made \(ws.path) (mode 0700)
                made inbox/ (mode 0700)
                made outbox/ (mode 0700)
                made reports/ (mode 0700)
                made archive/ (mode 0700)
                made quarantine/ (mode 0700)
                made state/ (mode 0700)
                made work/ (mode 0700)
                made state/ledger.sqlite
                made the workspace \(ws.path): private to \(user) (no registrars' group; give one with --group NAME)

                """)
        let again = try CommandRunner.run(["init", "--root", ws.path])
        #expect(again.status == 0)
        #expect(again.stdout == "the workspace \(ws.path) was in order: private to \(user) (no registrars' group; give one with --group NAME)\n")
        // A mode changed by hand is repaired, and said.
        #expect(chmod(ws.appendingPathComponent("outbox").path, 0o755) == 0)
        let repaired = try CommandRunner.run(["init", "--root", ws.path])
        #expect(repaired.stdout.hasPrefix("outbox/: mode 0755 -> 0700\nrepaired the workspace \(ws.path): "), "\(repaired.stdout)")
        // The parent must exist; a file is not a folder.
        let orphan = base.appendingPathComponent("no/such/ws").path
        let noParent = try CommandRunner.run(["init", "--root", orphan])
        #expect(noParent.status == 2)
        #expect(noParent.stderr == "passback: cannot make \(orphan): the folder \(base.appendingPathComponent("no/such").path) does not exist\n")
    }

    // MARK: Statuses and log levels as people type them

    @Test func statusesInAnyCaseAndWithDashesOrSpaces() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        #expect(try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock]).status == 1)
        for spelling in ["Errors", "errors", "ERRORS", " errors "] {
            let result = try CommandRunner.run(["status", "--root", root.path, "--status", spelling])
            #expect(result.status == 0, "\(spelling): \(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == 4, "\(spelling): two requests with errors: \(result.stdout)")
        }
        for spelling in ["in-queue", "In Queue", "IN_QUEUE", "in  queue", "in progress", "In-Progress"] {
            let result = try CommandRunner.run(["status", "--root", root.path, "--status", spelling])
            #expect(result.status == 0, "\(spelling): \(result.stderr)")
            #expect(result.stdout.hasSuffix("no sync requests match\n"))
        }
        let bad = try CommandRunner.run(["status", "--root", root.path, "--status", "erors"])
        #expect(bad.status == 2)
        #expect(
            bad.stderr
                == "passback: --status 'erors' is not a request status; use one of: everything, in queue, in progress, success, errors, failed, cancelled (any case; '-' or '_' for the space)\n"
        )
    }

    @Test func aLogLevelThatIsNoneIsRefused() throws {
        let root = try CommandRunner.temporaryFolder("loglevel").appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try CommandRunner.initWorkspace(root)
        let bad = try CommandRunner.run(["run", "--root", root.path, "--log-level", "verbose"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "passback: --log-level 'verbose' is not a log level; use one of: trace, debug, info, notice, warning, error, critical\n")
        let watch = try CommandRunner.run(["watch", "--root", root.path, "--daily-at", "02:00", "--log-level", "loud"])
        #expect(watch.status == 2)
        #expect(watch.stderr.hasPrefix("passback: --log-level 'loud' is not a log level"))
        let upper = try CommandRunner.run(["run", "--root", root.path, "--log-level", "WARNING"])
        #expect(upper.status == 0, "\(upper.stderr)")
        #expect(upper.stderr.isEmpty, "warning level: no info lines: \(upper.stderr)")
        #expect(upper.stdout == "nothing to do\n")
    }

    // MARK: One summary line per run, logs on standard error

    @Test func theSummaryIsPrintedOnceOnStandardOutput() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1)
        let summary =
            "run \(Self.runID): 9 file(s) claimed, 3 rejected, 0 waiting; requests: 1 success, 2 errors, 1 failed; 17 result(s) in 3 XML file(s); 24 error(s), 3 warning(s); report \(root.path)/reports/\(Self.runID).csv\n"
        #expect(result.stdout == summary)
        #expect(!result.stderr.contains("17 result(s)"), "the summary is repeated in the log: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.last == "passback: 24 error(s) reported; see \(root.path)/reports/\(Self.runID).csv")
        #expect(lines.contains { $0.contains("exit=1 run=\(Self.runID)") && $0.hasSuffix("run finished") })
    }

    // MARK: Runs and rejected files in status

    @Test func statusListsRunsAndFindsRejectedFilesByName() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let empty = try CommandRunner.run(["status", "--root", root.path, "--runs"])
        #expect(empty.stdout == "no runs yet\n")
        #expect(try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock]).status == 1)
        let runs = try CommandRunner.run(["status", "--root", root.path, "--runs"])
        #expect(runs.status == 0)
        let lines = runs.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["RUN", "STARTED", "MODE", "STATUS", "EXIT", "REQUESTS", "REPORT"])
        let cells = lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(cells.count == 7)
        #expect(cells[0] == Self.runID)
        // Started now, shown in the school's zone (America/Denver: -06:00 or -07:00).
        #expect(cells[1].hasSuffix("-06:00") || cells[1].hasSuffix("-07:00"), "\(cells[1])")
        #expect(Array(cells[2...]) == ["incremental", "finished", "1", "4", "reports/\(Self.runID).csv"])
        let json = try CommandRunner.run(["status", "--root", root.path, "--runs", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: [[String: Any]]]
        #expect(document?["runs"]?.first?["exit_code"] as? Int == 1)

        for (search, file, rule) in [
            ("notes for the", "notes for the registrar.txt", "unknown-file"),
            ("CHEMISTRY", "chemistry.gradebook.csv", "incomplete-bundle"),
            ("702-Q2", "aspire-702-Q2.categories.csv", "malformed-file"),
        ] {
            let found = try CommandRunner.run(["status", "--root", root.path, "--search", search])
            #expect(found.status == 0)
            #expect(found.stdout.contains("no sync requests match\nrejected files: 1\n"), "\(search): \(found.stdout)")
            let row = found.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(row.hasPrefix("\(Self.runID)  \(file)  "), "\(search): \(row)")
            #expect(row.contains("  \(rule)  quarantine/\(Self.runID)/\(file)"), "\(search): \(row)")
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("quarantine/\(Self.runID)/\(file)").path))
        }
        let json2 = try CommandRunner.run(["status", "--root", root.path, "--search", "chemistry", "--json"])
        let found = try JSONSerialization.jsonObject(with: Data(json2.stdout.utf8)) as? [String: Any]
        let rejected = found?["rejected_files"] as? [[String: Any]]
        #expect(rejected?.first?["rule"] as? String == "incomplete-bundle")
        let none = try CommandRunner.run(["status", "--root", root.path, "--search", "biology"])
        #expect(none.stdout.hasSuffix("no rejected files match\n"))
    }

    // MARK: The school's time zone

    @Test func watchSaysItsNextRunInTheSchoolsZone() throws {
        let root = try CommandRunner.temporaryFolder("watchzone").appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try CommandRunner.initWorkspace(root)
        try Data("time_zone = \"Asia/Kolkata\"\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        let (process, _, text) = try CommandRunner.startWatch(root: root)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        // India has one offset all year: the next 03:17 there is exactly that, +05:30.
        #expect(text.range(of: #"at=\d{4}-\d\d-\d\dT03:17:00\+05:30 .*next run"#, options: .regularExpression) != nil, "\(text)")
    }

    // MARK: Progress on a terminal

    /// On a terminal, a run that lasts shows a progress line on standard error (the first after
    /// `PASSBACK_PROGRESS_AFTER` seconds); in a pipe or a log, never.
    @Test func progressShowsOnATerminalOnly() throws {
        let base = try CommandRunner.temporaryFolder("progress")
        defer { try? FileManager.default.removeItem(at: base) }
        for name in ["tty", "pipe"] {
            _ = try DistrictInbox(courses: 48, students: 30, assignments: 8).write(to: base.appendingPathComponent(name))
        }
        // script(1) gives the command a terminal and copies what it writes.
        let tty = try CommandRunner.runShell(
            "PASSBACK_PROGRESS_AFTER=0 exec script -qec \"$0 run --root $1 --now 2025-10-01T09:00:00Z --log-level error\" /dev/null",
            arguments: [CommandRunner.binary.path, base.appendingPathComponent("tty").path]
        )
        #expect(tty.status == 0, "\(tty.stdout)\(tty.stderr)")
        #expect(
            tty.stdout.range(of: #"passback: run 20251001T090000Z-01: [0-9,]+ of 48 requests recorded \([0-9]+%\)"#, options: .regularExpression) != nil
                || tty.stdout.contains("passback: run 20251001T090000Z-01: claiming and reading files"), "\(tty.stdout)")
        #expect(tty.stdout.contains("\r\u{1B}[K"), "the line is redrawn in place and erased")
        let pipe = try CommandRunner.run(
            ["run", "--root", base.appendingPathComponent("pipe").path, "--now", Self.clock, "--log-level", "error"], environment: ["PASSBACK_PROGRESS_AFTER": "0"])
        #expect(pipe.status == 0)
        #expect(pipe.stderr.isEmpty, "\(pipe.stderr)")
    }
}
