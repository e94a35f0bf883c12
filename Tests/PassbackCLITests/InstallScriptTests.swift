import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `scripts/install` as an operator runs it (as root): the binary into a prefix, the service
/// account and the registrars' group, the workspace made by `init` as that account, and the
/// schedule's files; then the units it wrote verify, and the cron line's log folder exists.
/// Everything goes below a temporary folder (prefix, root, unit folder, log folder), and the
/// accounts are removed afterwards.
@Suite(.serialized, .enabled(if: SystemAccounts.available)) struct InstallScriptTests {
    @Test func installPutsEverythingInPlaceAndRunsAgainSafely() throws {
        let accounts = SystemAccounts()
        defer { accounts.remove() }
        let base = try CommandRunner.temporaryFolder("install")
        SystemAccounts.letOthersSearch(base)
        defer { try? FileManager.default.removeItem(at: base) }
        let user = "pbins" + accounts.tag
        let group = "pbgrp" + accounts.tag
        defer {
            _ = try? CommandRunner.runShell("userdel \"$0\"; groupdel \"$1\" 2>/dev/null; true", arguments: [user, group])
        }
        let prefix = base.appendingPathComponent("prefix").path
        let root = base.appendingPathComponent("var/ws").path
        let units = base.appendingPathComponent("units").path
        let script = CommandRunner.repositoryRoot.appendingPathComponent("scripts/install").path
        let common = ["--binary", CommandRunner.binary.path, "--prefix", prefix, "--root", root, "--user", user, "--group", group]

        let timer = try CommandRunner.runShell("exec \"$0\" \"$@\"", arguments: [script] + common + ["--unit-dir", units, "--no-enable"])
        #expect(timer.status == 0, "\(timer.stdout)\(timer.stderr)")
        #expect(timer.stdout.contains("made the workspace \(root): the group \(group) may drop files into inbox/"), "\(timer.stdout)")
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/passback"))
        let membership = try CommandRunner.runShell("id -nG \"$0\"", arguments: [user])
        #expect(membership.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains(group))
        let modes = try CommandRunner.runShell("cd \"$0\" && stat -c '%a %U %G %n' . inbox reports quarantine state outbox", arguments: [root])
        #expect(
            modes.stdout == """
                750 \(user) \(group) .
                3770 \(user) \(group) inbox
                2750 \(user) \(group) reports
                2750 \(user) \(group) quarantine
                700 \(user) \(user) state
                700 \(user) \(user) outbox

                """)
        let service = try String(contentsOfFile: units + "/passback.service", encoding: .utf8)
        #expect(service.contains("\nExecStart=\(prefix)/bin/passback run --root \(root)\n"))
        #expect(service.contains("\nUser=\(user)\n"))
        #expect(service.contains("\nGroup=\(group)\n"))
        #expect(service.contains("\nReadWritePaths=\(root)\n"), "a root outside /var/lib is made writable this way")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let verify = try CommandRunner.runShell("cd \"$0\" && exec systemd-analyze verify passback.service passback.timer", arguments: [units])
            #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stderr)")
        }

        // Again, with the watch: the timer's units go (both enabled would both run the nights).
        let watch = try CommandRunner.runShell("exec \"$0\" \"$@\"", arguments: [script] + common + ["--schedule", "watch", "--unit-dir", units, "--no-enable"])
        #expect(watch.status == 0, "\(watch.stdout)\(watch.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: units) == ["passback-watch.service"])
        #expect(watch.stdout.contains("removed \(units)/passback.timer: the schedule is now watch"), "\(watch.stdout)")

        // Again, with the cron line: the workspace is found in order, the log folder is made, the
        // watch's unit goes.
        let cronFile = base.appendingPathComponent("crontab").path
        let logs = base.appendingPathComponent("log").path
        let cron = try CommandRunner.runShell(
            "exec \"$0\" \"$@\"", arguments: [script] + common + ["--schedule", "cron", "--cron-file", cronFile, "--log-dir", logs, "--unit-dir", units])
        #expect(cron.status == 0, "\(cron.stdout)\(cron.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: units).isEmpty)
        #expect(cron.stdout.contains("the workspace \(root) was in order"))
        #expect(try String(contentsOfFile: cronFile, encoding: .utf8) == "0 2 * * * umask 077; \(prefix)/bin/passback run --root \(root) >>\(logs)/passback.log 2>&1\n")
        let log = try CommandRunner.runShell("stat -c '%a %U' \"$0\"", arguments: [logs])
        #expect(log.stdout == "750 \(user)\n")
        // The service account can write its log there.
        let writes = try accounts.run(as: user, "echo ok >> \"$0\"/passback.log", [logs])
        #expect(writes.status == 0, "\(writes.stderr)")
    }
}
