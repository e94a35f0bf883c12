import Foundation

/// How one run goes.
public struct RunOptions: Sendable {
    var mode: PassbackHeader.Mode
    /// The run's clock (`--now`): what "now" means for verification, the incremental window,
    /// score dates and ids. Fixing it makes a run reproducible.
    var clock: Date
    /// Whether ``clock`` was given (`--now`) rather than read from the system: a run with the
    /// system's clock refuses to start when that clock is earlier than the last run's.
    var clockIsFixed: Bool
    /// The real clock, for deciding whether a dropped file has settled.
    var wallClock: Date
    /// How many threads read, check and write bundles; `nil`: one per core, at most 8.
    var workers: Int?
    /// Whether the run times its stages (``StageClock``; `--timings`).
    var timings = false
    /// Set by a signal: the run records what is prepared and stops (exit 3).
    var stop: StopRequest?

    public init(mode: PassbackHeader.Mode = .incremental, clock: Date? = nil, wallClock: Date = Date(), workers: Int? = nil, timings: Bool = false, stop: StopRequest? = nil) {
        self.mode = mode
        self.clock = clock ?? wallClock
        clockIsFixed = clock != nil
        self.wallClock = wallClock
        self.workers = workers
        self.timings = timings
        self.stop = stop
    }

    /// The options the environment sets, read in this one place: `PASSBACK_WORKERS` (threads,
    /// 1 to 16) and `PASSBACK_TIMINGS` (anything but empty or `0` turns timings on).
    public mutating func apply(environment: [String: String]) {
        if let text = environment["PASSBACK_WORKERS"], let n = Int(text), n >= 1 { workers = min(n, 16) }
        if let text = environment["PASSBACK_TIMINGS"], !text.isEmpty, text != "0" { timings = true }
    }

    /// ``workers``, or the machine's cores (at most 8).
    var workerCount: Int {
        workers ?? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    }
}

/// What a run did, for the command line's exit status and summary line.
public struct RunSummary: Sendable, Equatable {
    /// `nil` when there was nothing to do (no run was recorded).
    var runID: String?
    public var reportPath: String?
    var requests: [SyncRequestStatus: Int] = [:]
    public var rows: [ReportRow.Status: Int] = [:]
    var filesClaimed = 0
    var filesRejected = 0
    var filesWaiting = 0
    var xmlFiles = 0
    var resultsSent = 0
    /// Runs that a crash had left unfinished and this invocation finished first.
    var resumed: [RunSummary] = []

    init() {}

    /// 0 when every request succeeded or there was nothing to do; 1 when anything was reported as
    /// an error (a request with errors or failed, a rejected file).
    public var exitCode: Int32 {
        resumed.map(\.exitCode).reduce(ownExitCode, max)
    }

    /// This run's exit status, without the runs it finished first.
    var ownExitCode: Int32 {
        (rows[.error] ?? 0) > 0 || (requests[.errors] ?? 0) > 0 || (requests[.failed] ?? 0) > 0 ? 1 : 0
    }

    /// One line for the log and for standard error.
    public var line: String {
        let finished = resumed.map { "finished interrupted " + $0.line + "; " }.joined()
        return finished + ownLine
    }

    /// One line per run, for standard output: the runs finished after a crash, then this one.
    public var lines: [String] {
        resumed.map { "finished interrupted " + $0.ownLine } + [ownLine]
    }

    private var ownLine: String {
        guard let runID else {
            return "nothing to do" + (filesWaiting > 0 ? " (\(filesWaiting) file(s) waiting in the inbox)" : "")
        }
        let statuses = SyncRequestStatus.allCases.compactMap { s in requests[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        return
            "run \(runID): \(filesClaimed) file(s) claimed, \(filesRejected) rejected, \(filesWaiting) waiting; requests: \(statuses.isEmpty ? "none" : statuses); \(resultsSent) result(s) in \(xmlFiles) XML file(s); \(rows[.error] ?? 0) error(s), \(rows[.warning] ?? 0) warning(s); report \(reportPath ?? "-")"
    }
}
