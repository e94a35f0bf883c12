import ArgumentParser
import Foundation
import PassbackCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show sync requests and a count per status.",
        discussion: "Reads the ledger without blocking a run that is writing it."
    )

    @Option(name: .long, help: "The workspace folder.")
    var root: String = "./passback-data"

    @Option(name: .long, help: "everything, \"in queue\", \"in progress\", success, errors, failed or cancelled.")
    var status: String = "everything"

    @Option(name: .long, help: "A course or section SIS id (or part of one), or a student's SIS id.")
    var search: String?

    @Option(name: .customLong("run"), help: "Only the requests of this run.")
    var runID: String?

    @Option(name: .long, help: "Show at most this many requests (the counts cover all).")
    var limit: Int?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @Flag(name: .long, help: "With --run: print the path of the run's staff page (reports/<run>.html), written first when missing.")
    var html = false

    func run() throws {
        if html { return printStaffPage() }
        var query = SyncRequestQuery(search: search, runID: runID, limit: limit)
        if status != "everything" {
            guard let wanted = SyncRequestStatus(rawValue: status) else {
                fail(2, "--status '\(status)' is not one of everything, \(SyncRequestStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            }
            query.status = wanted
        }
        let workspace = Workspace(root: URL(fileURLWithPath: root))
        guard FileManager.default.fileExists(atPath: workspace.ledgerPath) else {
            print(json ? try StatusTable.json(requests: [], counts: [:]) : StatusTable.text(requests: [], counts: [:]), terminator: "")
            return
        }
        do {
            let ledger = try Ledger(path: workspace.ledgerPath, readOnly: true)
            let (requests, counts) = try ledger.syncRequests(query)
            print(json ? try StatusTable.json(requests: requests, counts: counts) : StatusTable.text(requests: requests, counts: counts), terminator: "")
        } catch {
            fail(2, "cannot read the ledger \(workspace.ledgerPath): \(error)")
        }
    }
}
