import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `[hooks] after_run` (spec section 7 and the README's deployment example): an argument list,
/// no shell, run after each run with what it needs in its environment, bounded in time, its
/// outcome logged, passback's exit status untouched.
@Suite struct AfterRunHookTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    /// The sample workspace with these settings added to its own.
    func workspace(hooks: String) throws -> URL {
        let root = try CommandRunner.sampleWorkspace()
        let toml = root.appendingPathComponent("passback.toml")
        let settings = try String(contentsOf: toml, encoding: .utf8)
        try Data((settings + "\n[hooks]\n" + hooks).utf8).write(to: toml)
        return root
    }

    /// A TOML string, quoted.
    func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    @Test func theHookGetsTheRunItsExitStatusAndItsReport() throws {
        let out = try CommandRunner.temporaryFolder("hookout")
        defer { try? FileManager.default.removeItem(at: out) }
        let record = out.appendingPathComponent("seen").path
        // No shell reads the setting: `$PASSBACK_RUN_ID` and `;` in an argument stay as they are,
        // and only the sh named as the program expands its own script.
        let script =
            "printf '%s|%s|%s|%s|%s|%s\\n' \"$PASSBACK_RUN_ID\" \"$PASSBACK_EXIT_STATUS\" \"$PASSBACK_REPORT\" \"$PASSBACK_ROOT\" \"$PASSBACK_OUTBOX\" \"$1\" >> \"$0\"; echo 'hook says hello'"
        let root = try workspace(hooks: "after_run = [\"/bin/sh\", \"-c\", \(quoted(script)), \(quoted(record)), \"literal $PASSBACK_RUN_ID; rm -rf /\"]\n")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "the hook leaves passback's exit status: \(result.stderr)")
        let seen = try String(contentsOfFile: record, encoding: .utf8)
        #expect(seen == "\(Self.runID)|1|\(root.path)/reports/\(Self.runID).csv|\(root.path)|\(root.path)/outbox|literal $PASSBACK_RUN_ID; rm -rf /\n")
        // Its output is passback's log (standard error), never the summary on standard output.
        #expect(result.stderr.contains("hook says hello"))
        #expect(!result.stdout.contains("hook says hello"))
        #expect(
            result.stderr.range(of: #"exit=0 program=sh run=20251001T090000Z-01 seconds=[0-9.]+ \[PassbackCore\] after_run hook finished"#, options: .regularExpression) != nil,
            "\(result.stderr)")

        // Nothing to do: no run, no hook.
        let again = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(again.stdout == "nothing to do\n")
        #expect(try String(contentsOfFile: record, encoding: .utf8) == seen)
    }

    /// The hook's output is the log: a hook that prints its environment must not log the Canvas
    /// token passback was given (version 2 passed it `CANVAS_API_TOKEN`).
    @Test func theHookDoesNotInheritTheCanvasToken() throws {
        let root = try workspace(hooks: "after_run = [\"/usr/bin/env\"]\n")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let token = "hook-must-not-see-\(UUID().uuidString)"
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: ["CANVAS_API_TOKEN": token, "PASSBACK_TEST_KEPT": "kept"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\nPASSBACK_RUN_ID=\(Self.runID)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("\nPASSBACK_TEST_KEPT=kept\n"), "the rest of the environment is inherited: \(result.stderr)")
        #expect(!result.stderr.contains(token), "the token reached the log: \(result.stderr)")
        #expect(!result.stderr.contains("CANVAS_API_TOKEN"), "\(result.stderr)")
    }

    @Test func aFailingHookIsLoggedAndChangesNothing() throws {
        let root = try workspace(hooks: "after_run = [\"/bin/sh\", \"-c\", \"exit 3\"]\n")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1)
        #expect(
            result.stderr.range(
                of: #"error passback: exit=3 program=sh run=20251001T090000Z-01 seconds=[0-9.]+ \[PassbackCore\] after_run hook failed"#, options: .regularExpression) != nil,
            "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").last == "passback: 24 error(s) reported; see \(root.path)/reports/\(Self.runID).csv")
    }

    @Test func aMissingProgramIsLogged() throws {
        let root = try workspace(hooks: "after_run = [\"/nonexistent/upload-to-aspire\"]\n")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error=/nonexistent/upload-to-aspire: No such file or directory program=upload-to-aspire run=\(Self.runID)"), "\(result.stderr)")
        #expect(result.stderr.contains("after_run hook could not be started"))
    }

    /// A hook that hangs is stopped at its timeout with everything it started (its process
    /// group), and the run's own outcome stands.
    @Test func aHookPastItsTimeoutIsStoppedWithItsChildren() throws {
        let marker = "\(Int.random(in: 100...999)).\(Int.random(in: 100...999))"
        let root = try workspace(hooks: "after_run = [\"/bin/sh\", \"-c\", \"sleep \(marker) & wait\"]\nafter_run_timeout_seconds = 1\n")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let started = Date()
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("program=sh run=\(Self.runID) seconds="), "\(result.stderr)")
        #expect(result.stderr.contains("timeout_seconds=1 [PassbackCore] after_run hook timed out and was stopped"), "\(result.stderr)")
        let left = try CommandRunner.runShell("pgrep -f \"sleep $0\" || true", arguments: [marker])
        #expect(left.stdout.isEmpty, "the hook's child outlived it: \(left.stdout)")
    }

    /// The README's worked example (`docs/hooks/passback-after-run`), run by passback as the
    /// hook, with `sftp` and `mail` standing in for the real ones: it uploads exactly the run's
    /// XML and mails the report, because the samples' run has errors.
    /// The worked example with stand-ins for `sftp` and `mail`: a night whose upload fails mails
    /// the registrars and fails the hook; the next night uploads both nights' files, and only
    /// then are they listed as uploaded.
    @Test func theWorkedExampleUploadsTheOutboxAndMailsTheReport() throws {
        let manager = FileManager.default
        let tools = try CommandRunner.temporaryFolder("hooktools")
        defer { try? manager.removeItem(at: tools) }
        let log = tools.appendingPathComponent("calls.log").path
        let failMarker = tools.appendingPathComponent("sftp-fails").path
        for (name, body) in [
            (
                "sftp",
                "echo \"sftp $*\" >> \"$CALLS\"; while [ $# -gt 0 ]; do if [ \"$1\" = -b ]; then sed 's|.*/|put |' \"$2\" >> \"$CALLS\"; fi; shift; done; if [ -e \"$SFTP_FAILS\" ]; then echo 'Connection refused' >&2; exit 255; fi"
            ),
            ("mail", "echo \"mail $*\" >> \"$CALLS\"; sed 's/^/body: /' >> \"$CALLS\""),
        ] {
            let path = tools.appendingPathComponent(name).path
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o755) == 0)
        }
        let example = CommandRunner.repositoryRoot.appendingPathComponent("docs/hooks/passback-after-run").path
        let root = try workspace(hooks: "after_run = [\(quoted(example))]\n")
        defer { try? manager.removeItem(at: root.deletingLastPathComponent()) }
        let environment = [
            "PATH": tools.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "CALLS": log, "SFTP_FAILS": failMarker,
            "ASPIRE_SFTP": "passback@sftp.test:/imports", "ASPIRE_SFTP_KEY": "/etc/passback/key", "REGISTRARS": "office@school.test",
        ]
        let uploadedList = root.appendingPathComponent("state/uploaded.txt").path
        /// The calls the stand-ins logged since the last time, then a clean log.
        func takeCalls() throws -> [String] {
            let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            try manager.removeItem(atPath: log)
            return calls
        }
        let firstNight = ["MST0000007Xy12", "MST0000008Zz34", "MST0000009Bb56"].map { "\(Self.runID)_\($0).xml" }

        // Night 1: Aspire's SFTP refuses. The registrars hear of it, the hook fails, nothing is
        // listed as uploaded.
        try Data().write(to: URL(fileURLWithPath: failMarker))
        let failing = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: environment)
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("upload to Aspire failed: 3 file(s) wait in outbox/ for the next run's hook"), "\(failing.stderr)")
        #expect(
            failing.stderr.range(
                of: #"error passback: exit=1 program=passback-after-run run=20251001T090000Z-01 seconds=[0-9.]+ \[PassbackCore\] after_run hook failed"#,
                options: .regularExpression) != nil, "\(failing.stderr)")
        var calls = try takeCalls()
        #expect(calls.count == 8, "\(calls)")
        #expect(calls.first?.hasPrefix("sftp -b ") == true && calls.first?.hasSuffix(" -i /etc/passback/key -o BatchMode=yes passback@sftp.test:/imports") == true, "\(calls)")
        #expect(Array(calls.dropFirst().prefix(3)) == firstNight.map { "put \($0)" })
        #expect(
            Array(calls.dropFirst(4)) == [
                "mail -s passback \(Self.runID): upload to Aspire failed office@school.test",
                "body: passback run \(Self.runID) could not upload 3 file(s) to Aspire; the next run tries again. See passback's log.",
                "mail -s passback \(Self.runID): errors to fix -A \(root.path)/reports/\(Self.runID).csv office@school.test",
                "body: passback run \(Self.runID) has errors to fix: the report is attached.",
            ])
        #expect(try String(contentsOfFile: uploadedList, encoding: .utf8) == "")

        // Night 2: SFTP works again; a course is dropped again and sent. The hook puts the failed
        // night's files with this night's and lists all four.
        try manager.removeItem(atPath: failMarker)
        let samples = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox")
        for name in ["biology.canvas.json", "biology.gradebook.csv"] {
            try manager.copyItem(at: samples.appendingPathComponent(name), to: root.appendingPathComponent("inbox/\(name)"))
        }
        let secondRun = "20251002T090000Z-01"
        let good = try CommandRunner.run(["run", "--root", root.path, "--bulk", "--now", "2025-10-02T09:00:00Z"], environment: environment)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stderr.contains("uploaded 4 file(s) from outbox/ after run \(secondRun)"), "\(good.stderr)")
        #expect(good.stderr.contains("[PassbackCore] after_run hook finished"), "\(good.stderr)")
        calls = try takeCalls()
        let bothNights = firstNight + ["\(secondRun)_MST0000009Bb56.xml"]
        #expect(calls.count == 5, "a good night mails nobody: \(calls)")
        #expect(Array(calls.dropFirst()) == bothNights.map { "put \($0)" })
        #expect(try String(contentsOfFile: uploadedList, encoding: .utf8) == bothNights.map { $0 + "\n" }.joined())

        // By hand, with nothing new: no upload, nothing mailed.
        let again = try CommandRunner.runShell(
            "PASSBACK_RUN_ID=\(secondRun) PASSBACK_EXIT_STATUS=0 PASSBACK_REPORT= PASSBACK_ROOT=\"$1\" PASSBACK_OUTBOX=\"$1/outbox\" PATH=\"$2\" CALLS=\"$3\" SFTP_FAILS=\"$4\" \"$0\"",
            arguments: [example, root.path, environment["PATH"]!, log, failMarker]
        )
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!manager.fileExists(atPath: log))
        #expect(try String(contentsOfFile: uploadedList, encoding: .utf8) == bothNights.map { $0 + "\n" }.joined())
    }
}
