import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, item 7, shown by a real second user: a registrar makes, in the group-writable inbox,
/// a subfolder the service account cannot list and a file it cannot read. Neither stops the run:
/// the subfolder is skipped with a warning naming it and the run exits as it would without it;
/// the file is rejected and logged like every other rejection. Root runs everything as root, to
/// whom every mode is open, so these need `useradd` (as root; skipped otherwise).
@Suite(.serialized, .enabled(if: SystemAccounts.available, "needs root, useradd and runuser to make a registrar and a service account"))
struct FaultInboxAccessTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    /// Two workspaces made by `init --group` as the service account, the samples dropped into both
    /// by the registrar: one gets the fault, the other shows what the run does without it.
    struct Place {
        let accounts = SystemAccounts()
        let base: URL
        let service: String
        let registrar: String
        let group: String

        init() throws {
            group = try accounts.group("pbreg")
            service = try accounts.user("pbsvc", groups: [group])
            registrar = try accounts.user("pbclk", groups: [group])
            base = try CommandRunner.temporaryFolder("inbox-access")
            SystemAccounts.letOthersSearch(base)
        }

        /// A workspace of the service account's with the samples in its inbox, dropped by the
        /// registrar with `umask 007`.
        func workspace(_ name: String) throws -> URL {
            let root = base.appendingPathComponent(name)
            #expect(mkdir(root.path, 0o700) == 0)
            _ = try CommandRunner.runShell("chown \"$0:$0\" \"$1\"", arguments: [service, root.path])
            let made = try passback(["init", "--root", root.path, "--group", group])
            #expect(made.status == 0, "\(made.stderr)")
            let toml = try CommandRunner.runShell(
                "printf 'settle_seconds = 0\\nincomplete_bundle_wait_hours = 0\\n' > \"$0\" && chown \"$1\" \"$0\" && chmod 0640 \"$0\"",
                arguments: [root.appendingPathComponent("passback.toml").path, service])
            #expect(toml.status == 0)
            let samples = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox").path
            let drop = try asRegistrar("umask 007 && cp \"$0\"/* \"$1\"/", [samples, root.appendingPathComponent("inbox").path])
            #expect(drop.status == 0, "\(drop.stderr)")
            return root
        }

        func passback(_ arguments: [String]) throws -> CommandRunner.Result {
            try accounts.run(as: service, "exec \"$0\" \"$@\"", [CommandRunner.binary.path] + arguments)
        }

        func run(_ root: URL) throws -> CommandRunner.Result {
            try passback(["run", "--root", root.path, "--now", FaultInboxAccessTests.clock])
        }

        func asRegistrar(_ script: String, _ arguments: [String] = []) throws -> CommandRunner.Result {
            try accounts.run(as: registrar, script, arguments)
        }

        func cleanUp() {
            try? FileManager.default.removeItem(at: base)
            accounts.remove()
        }
    }

    /// The numbers before " file(s) claimed, " and " rejected" in a run's summary line.
    func counts(_ line: String) -> (claimed: Int?, rejected: Int?) {
        let halves = line.components(separatedBy: " file(s) claimed, ")
        guard halves.count == 2 else { return (nil, nil) }
        let claimed = halves[0].split(separator: " ").last.flatMap { Int($0) }
        let rejected = Int(String(halves[1].prefix(while: \.isNumber)))
        return (claimed, rejected)
    }

    /// The run's summary line (its first line on standard output), without the report's path.
    func summary(_ result: CommandRunner.Result) -> String {
        String(result.stdout.split(separator: "\n").first ?? "").components(separatedBy: "; report ")[0]
    }

    /// `summary` with its warning count one higher.
    static func oneMoreWarning(_ summary: String) -> String {
        guard let match = summary.firstMatch(of: /(\d+) warning\(s\)/), let count = Int(match.1) else { return summary }
        return summary.replacingCharacters(in: match.range, with: "\(count + 1) warning(s)")
    }

    /// The report's path, from the run's summary line.
    static func reportPath(_ result: CommandRunner.Result) -> String? {
        let line = String(result.stdout.split(separator: "\n").first ?? "")
        guard let range = line.range(of: "; report ") else { return nil }
        return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }

    /// A subfolder only its maker may enter (0700), and one whose names the group may read but
    /// not look at (0740: `r` without `x`, so no file in it can be examined or opened).
    @Test(arguments: ["0700", "0740"])
    func aSubfolderTheServiceCannotListIsSkippedWithAWarningNamingIt(_ mode: String) throws {
        let place = try Place()
        defer { place.cleanUp() }
        let without = try place.workspace("without")
        let with = try place.workspace("with")
        // A registrar's own folder, with a course bundle in it (the samples' algebra-1, renamed).
        let samples = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox").path
        let made = try place.asRegistrar(
            "umask 007 && mkdir \"$1/inbox/mine\" && cp \"$0/algebra-1.gradebook.csv\" \"$1/inbox/mine/private-1.gradebook.csv\" && cp \"$0/algebra-1.canvas.json\" \"$1/inbox/mine/private-1.canvas.json\" && chmod \"$2\" \"$1/inbox/mine\"",
            [samples, with.path, mode]
        )
        #expect(made.status == 0, "\(made.stderr)")

        let expected = try place.run(without)
        let run = try place.run(with)
        #expect(run.signal == nil)
        #expect(run.status == expected.status, "exit \(run.status), without the folder \(expected.status): \(run.stderr)")
        // The same run but for one more warning: the folder's, in the report.
        #expect(summary(run) == Self.oneMoreWarning(summary(expected)), "\(run.stdout)")
        #expect(run.stderr.contains("inbox folder skipped: it cannot be listed"), "\(run.stderr)")
        #expect(run.stderr.contains("folder=mine"), "the warning names the folder: \(run.stderr)")
        #expect(!expected.stderr.contains("inbox folder skipped"))
        // The report says it too, where the registrar looks (it was in the log only).
        let report = try String(contentsOfFile: try #require(Self.reportPath(run)), encoding: .utf8)
        let rows = report.components(separatedBy: "\r\n").filter { $0.contains("inbox/mine/") }
        #expect(rows.count == 1, "\(report)")
        #expect(rows.first?.contains("warning") == true && rows.first?.contains("cannot be listed by passback's service account") == true, "\(rows)")
        // The folder and its files stay where the registrar put them.
        let still = try place.asRegistrar("ls \"$0\"", [with.appendingPathComponent("inbox/mine").path])
        #expect(still.stdout == "private-1.canvas.json\nprivate-1.gradebook.csv\n", "\(still.stdout) \(still.stderr)")
    }

    /// A file the registrar dropped with `umask 077`: claimed (a rename needs no read permission),
    /// then refused, quarantined with the reason and logged as every rejection is; the rest of the
    /// inbox is processed.
    @Test func aFileTheServiceCannotReadIsRejectedAndLoggedLikeEveryRejection() throws {
        let place = try Place()
        defer { place.cleanUp() }
        let without = try place.workspace("without")
        let with = try place.workspace("with")
        let source = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox/aspire-702-Q2.categories.csv").path
        let made = try place.asRegistrar("umask 077 && cp \"$0\" \"$1/inbox/district-q3.categories.csv\"", [source, with.path])
        #expect(made.status == 0, "\(made.stderr)")

        let expected = try place.run(without)
        let run = try place.run(with)
        #expect(run.signal == nil)
        #expect(run.status == 1, "\(run.stderr)")
        // One file more rejected (moved out of the inbox, never read); the rest as without it.
        let (claimed, rejected) = counts(summary(run))
        let (claimedWithout, rejectedWithout) = counts(summary(expected))
        #expect(claimed != nil && claimed == claimedWithout, "\(summary(run)) / \(summary(expected))")
        #expect(rejected != nil && rejected == rejectedWithout.map { $0 + 1 }, "\(summary(run)) / \(summary(expected))")
        // Logged as every rejection: the same line, with the file and the rule.
        let logged = run.stderr.split(separator: "\n").filter { $0.contains("file rejected") && $0.contains("district-q3.categories.csv") }
        #expect(logged.count == 1, "\(run.stderr)")
        #expect(logged.first?.contains("rule=unknown-file") == true, "\(logged)")
        #expect(run.stderr.split(separator: "\n").contains { $0.contains("file rejected") && $0.contains("chemistry.gradebook.csv") }, "as the samples' other rejections are")
        // In the report and in quarantine with what to do.
        let q = with.appendingPathComponent("quarantine/\(Self.runID)")
        let reason = try String(contentsOf: q.appendingPathComponent("district-q3.categories.csv.reason.txt"), encoding: .utf8)
        #expect(
            reason
                == "unknown-file: Refused: passback may not read the file (permission denied). Make it readable by the registrars' group (chmod g+r, or drop it with umask 007) and drop it again.\n"
        )
        let report = try String(contentsOf: with.appendingPathComponent("reports/\(Self.runID).csv"), encoding: .utf8)
        #expect(report.contains(",error,unknown-file,") && report.contains("district-q3.categories.csv"), "the report has its row")
    }
}
