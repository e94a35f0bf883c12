import ArgumentParser
import Foundation
import PassbackCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show sync requests and a count per status, or the runs.",
        discussion: "Reads the ledger without blocking a run that is writing it. Times are in the school's time zone (time_zone in passback.toml); --json keeps UTC."
    )

    @Option(name: .long, help: "The workspace folder.")
    var root: String = "./passback-data"

    @Option(name: .long, help: "everything, \"in queue\", \"in progress\", success, errors, failed or cancelled (any case; '-' or '_' for the space).")
    var status: String = "everything"

    @Option(name: .long, help: "A course or section SIS id (or part of one), a student's SIS id, or the name (or part) of a file a run rejected.")
    var search: String?

    @Option(name: .customLong("run"), help: "Only the requests of this run.")
    var runID: String?

    @Flag(name: .long, help: "List the runs instead: when, mode, exit status, requests and report.")
    var runs = false

    // Unconditional: "-1" is taken as the value (and refused with the reason), not as an option.
    @Option(name: .long, parsing: .unconditional, help: "Show at most this many requests or runs (the counts cover all).")
    var limit: Int?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @Flag(name: .long, help: "With --run: print the path of the run's staff page (reports/<run>.html), written first when missing.")
    var html = false

    /// The status asked for, `nil` for everything.
    var wantedStatus: SyncRequestStatus? {
        get throws {
            let words = status.lowercased()
            if words == "everything" || words == "all" { return nil }
            guard let wanted = SyncRequestStatus(loosely: status) else {
                throw ValidationError("--status '\(status)' is not a request status; use one of: everything, \(SyncRequestStatus.names) (any case; '-' or '_' for the space)")
            }
            return wanted
        }
    }

    func validate() throws {
        _ = try wantedStatus
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
    }

    func run() throws {
        if html { return try printStaffPage() }
        let query = SyncRequestQuery(status: try wantedStatus, search: search, runID: runID, limit: limit)
        let workspace: Workspace
        let time: SchoolTime
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            time = SchoolTime(timeZone: try Settings.load(root: workspace.root).calendar().timeZone)
        } catch {
            throw failure(2, "\(error)")
        }
        let text: String
        do {
            let ledger = try Ledger(path: workspace.ledgerPath, readOnly: true)
            if runs {
                let list = try ledger.runs(limit: limit)
                text = json ? try RunTable.json(list) : RunTable.text(list, root: workspace.root, time: time)
            } else {
                let (requests, counts) = try ledger.syncRequests(query)
                let rejected = try search.map { try ledger.rejectedFiles(matching: $0, runID: runID, limit: limit) }
                text =
                    json
                    ? try StatusTable.json(requests: requests, counts: counts, rejectedFiles: rejected)
                    : StatusTable.text(requests: requests, counts: counts, rejectedFiles: rejected, time: time)
            }
        } catch {
            throw failure(2, "cannot read the ledger \(workspace.ledgerPath): \(error)")
        }
        print(text, terminator: "")
    }
}
