import ArgumentParser
import Foundation
import Logging
import PassbackCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one batch: claim the inbox, check, send, report.",
        discussion: """
            Incremental by default: a grade goes out when it differs from what Aspire last received \
            and changed within the window (30 days by default); grades cleared in Canvas go out as \
            deletions. --bulk sends every current grade of every eligible assignment.

            Prints one summary line per run on standard output; logs go to standard error.

            Exit status: 0 every request succeeded or there was nothing to do; 1 a request has \
            errors or failed, or a file was rejected; 2 the run could not start (no workspace: \
            make one with passback init); 3 the run stopped part-way (the next run finishes it); \
            75 another run holds the workspace.
            """
    )

    @Option(name: .long, help: "The workspace folder (made by passback init).")
    var root: String = "./passback-data"

    @Flag(name: .long, help: "Send every current grade of every eligible assignment, changed or not, plus deletions.")
    var bulk = false

    @Option(name: .long, help: "Fix the run's clock (ISO 8601, e.g. 2026-11-27T09:00:00Z) for tests and replays.")
    var now: String?

    @Flag(name: .long, help: "Print the seconds spent in each pipeline stage on standard error when the run ends (also PASSBACK_TIMINGS=1).")
    var timings = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let stageClock = StageClock.shared
        logging.bootstrap()
        var clock: Date?
        if let now {
            guard let parsed = ISOTimestamp.parse(now) else { throw failure(2, "--now '\(now)' is not an ISO 8601 timestamp such as 2026-11-27T09:00:00Z") }
            clock = parsed
        }
        let workspace: Workspace
        let settings: Settings
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            settings = try Settings.load(root: workspace.root)
        } catch {
            throw failure(2, "\(error)")
        }
        let logger = Logger(label: "passback")
        let hook = AfterRunHook(settings: settings, workspace: workspace)
        let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard, logger: logger)
        let stop = StopRequest()
        stop.listenForSignals()
        var options = RunOptions(mode: bulk ? .bulk : .incremental, clock: clock, wallClock: Date(), timings: timings, stop: stop)
        options.apply(environment: ProcessInfo.processInfo.environment)
        let progress = RunProgress.startIfTerminal(workspace: workspace)
        let outcome: Result<RunSummary, RunError>
        do {
            outcome = .success(try pipeline.run(options))
        } catch {
            outcome = .failure(error)
        }
        progress?.stop()
        switch outcome {
        case .success(let summary):
            if stageClock.isEnabled { print(stageClock.summaryLine(), to: &standardError) }
            for line in summary.lines { print(line) }
            hook.run(after: summary, logger: logger)
            if summary.exitCode != 0 {
                let errors = summary.rows[.error] ?? 0
                throw failure(summary.exitCode, "\(errors) error(s) reported; see \(summary.reportPath ?? "the report")")
            }
        case .failure(let error):
            if error.kind == .stoppedPartWay { hook.run(afterStopped: error, logger: logger) }
            throw failure(error.exitStatus, error.message)
        }
    }
}
