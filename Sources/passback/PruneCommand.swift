import ArgumentParser
import Foundation
import PassbackCore

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove what finished runs older than DAYS left: archived inputs, reports, quarantine, published XML and their report rows.",
        discussion: """
            Runs, sync requests and grade histories stay in the ledger (status and the next run \
            need them); nothing of a run that has not finished is touched, and no run can start \
            meanwhile. Says what it removed, how many bytes, and the ledger's size before and \
            after. --dry-run says what it would remove and changes nothing.

            Exit status: 0 done; 2 bad arguments or no workspace; 75 a run holds the workspace.
            """
    )

    @Option(name: .long, help: "The workspace folder.")
    var root: String = "./passback-data"

    // Unconditional: "-1" is taken as the value (and refused with the reason), not as an option.
    @Option(name: .long, parsing: .unconditional, help: "Remove what runs that started more than this many days ago left.")
    var olderThan: Int

    @Flag(name: .long, help: "Say what would be removed; change nothing.")
    var dryRun = false

    @Option(name: .long, help: "What now is (ISO 8601), for tests and replays.")
    var now: String?

    func validate() throws {
        guard olderThan >= 1 else { throw ValidationError("--older-than must be a whole number of days, 1 or more") }
    }

    func run() throws {
        var clock = Date()
        if let now {
            guard let parsed = ISOTimestamp.parse(now) else { throw failure(2, "--now '\(now)' is not an ISO 8601 timestamp") }
            clock = parsed
        }
        let workspace: Workspace
        let time: SchoolTime
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            time = SchoolTime(timeZone: try Settings.load(root: workspace.root).calendar().timeZone)
        } catch {
            throw failure(2, "\(error)")
        }
        let report: PruneReport
        do {
            report = try WorkspacePruner(workspace: workspace, olderThanDays: olderThan, now: clock, dryRun: dryRun).prune()
        } catch {
            throw failure(error.exitStatus, error.message)
        }
        for line in report.lines(time: time) { print(line) }
    }
}
