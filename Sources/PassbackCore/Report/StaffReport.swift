import Foundation
import Logging

/// Writes the staff pages from the ledger: `reports/<run id>.html` for a run and
/// `reports/index.html` for every run, each published like the CSV (temporary name, `fsync`,
/// rename, 0600: they carry student ids).
///
/// Written at the end of every run, after the CSV (``publish(_:)``), from what the ledger holds,
/// so a run a crash left unfinished gets its page when the next invocation finishes it; and on
/// demand for a run that has none (``pagePath(runID:workspace:settings:)``, `passback status
/// --run ID --html`).
public struct StaffReport {
    let workspace: Workspace
    let ledger: Ledger
    let format: StaffPageFormat
    var logger: Logger

    /// Runs in the trend chart.
    static let trendLength = TrendChart.slots

    /// Report chunks read before they are digested (a run commits one per course, some 10 KB).
    static let digestBatch = 256

    init(workspace: Workspace, ledger: Ledger, calendar: SchoolCalendar, logger: Logger = Logger(label: "passback")) {
        self.workspace = workspace
        self.ledger = ledger
        format = StaffPageFormat(timeZone: calendar.timeZone)
        self.logger = logger
    }

    func pagePath(of runID: String) -> String { workspace.reports.appendingPathComponent("\(runID).html").path }
    var indexPath: String { workspace.reports.appendingPathComponent("index.html").path }

    /// Whether a page may link to `run`'s: the run being written now, or a page on disk (not
    /// written yet, or removed by `prune`, it is not).
    func hasPage(_ run: Ledger.RunOverview, current: Ledger.RunOverview?) -> Bool {
        run.id == current?.id || FileManager.default.fileExists(atPath: pagePath(of: run.id))
    }

    /// At the end of a run, after its CSV and before it is marked finished: records its files
    /// and totals in the ledger, writes its page and the index. The page takes the run's
    /// requests and XML files from `summary`, which the run has just read from the ledger.
    ///
    /// A page that cannot be written is logged and left for `passback status --run ID --html`:
    /// it must never stop the night's grades (the run would be redone, and fail again, every
    /// night).
    func publish(_ summary: RunSummary) {
        guard let runID = summary.runID else { return }
        do {
            try StageClock.shared.measure(.report) {
                try ledger.recordTally(
                    runID: runID,
                    files: Ledger.RunFiles(claimed: summary.filesClaimed, rejected: summary.filesRejected, waiting: summary.filesWaiting),
                    tally: Ledger.RunTally(resultsSent: summary.resultsSent, rows: summary.rows)
                )
                guard var overview = try ledger.runOverview(id: runID) else { throw LedgerError("run \(runID) is not in the ledger") }
                // Finished now: the ledger says so a moment later (``Ledger/finishRun``).
                overview.isFinished = true
                overview.exitCode = summary.exitCode
                overview.finishedAt = Date()
                try writePage(overview, requests: (summary.requests, summary.xmlFiles))
                StageClock.shared.mark("paged")
                try writeIndex(current: overview)
                StageClock.shared.mark("indexed")
            }
        } catch {
            logger.warning("the staff page was not written; passback status --run ID --html writes it", metadata: ["run": "\(runID)", "error": "\(error)"])
        }
    }

    /// Writes `reports/<run id>.html` from the ledger. `requests` are the run's sync requests
    /// per status and its XML files when the caller has just read them from the ledger (the end
    /// of a run), else they are read.
    func writePage(_ overview: Ledger.RunOverview, requests: (statuses: [SyncRequestStatus: Int], files: Int)? = nil, writtenAt: Date = Date()) throws {
        let page = try makePage(overview, requests: requests, writtenAt: writtenAt)
        try Self.publish(page.renderParts(), at: pagePath(of: overview.id))
    }

    /// The page of a run, from its report rows and the runs before it.
    func makePage(_ overview: Ledger.RunOverview, requests: (statuses: [SyncRequestStatus: Int], files: Int)? = nil, writtenAt: Date = Date()) throws -> StaffPage {
        // The rows a batch of chunks at a time, each batch digested on the machine's cores: a
        // few MB held at once, not the whole report.
        let workers = ProcessInfo.processInfo.activeProcessorCount
        var digest = StaffReportDigest()
        var batch: [Data] = []
        try ledger.reportBodies(runID: overview.id) { chunk in
            batch.append(chunk)
            guard batch.count == Self.digestBatch else { return }
            digest.append(try StaffReportDigest(csvRecordChunks: batch, workers: workers))
            batch.removeAll(keepingCapacity: true)
        }
        digest.append(try StaffReportDigest(csvRecordChunks: batch, workers: workers))
        StageClock.shared.mark("digested")
        var totals = requests
        if totals == nil {
            let read = try ledger.requestTotals(runID: overview.id)
            totals = (read.statuses, read.files)
        }
        let run = StaffPage.Run(
            overview: overview, requests: totals?.statuses ?? [:], xmlFiles: totals?.files ?? 0, rejectedBundleStems: try ledger.rejectedBundleStems(runID: overview.id))
        let earlier = try ledger.runOverviews(throughClock: overview.clock, limit: Self.trendLength + 1)
        return StaffPage(run: run, digest: digest, trend: trend(earlier, current: overview), format: format, writtenAt: writtenAt)
    }

    /// The chart's runs: the finished ones (and `current`), the newest `trendLength`, oldest
    /// first.
    func trend(_ runs: [Ledger.RunOverview], current: Ledger.RunOverview?) -> TrendChart {
        var chosen = runs.filter { $0.isFinished && $0.id != current?.id }
        if let current { chosen.append(current) }
        chosen.sort { ($0.clock, $0.id) < ($1.clock, $1.id) }
        let points = chosen.suffix(Self.trendLength).map { run in
            TrendChart.Point(
                runID: run.id, date: format.date(run.clock), shortDate: format.shortDate(run.clock),
                sent: run.tally.resultsSent, errors: run.tally.rows(.error), rejected: run.files?.rejected,
                isCurrent: run.id == current?.id,
                hasPage: hasPage(run, current: current)
            )
        }
        return TrendChart(points: Array(points))
    }

    /// Writes `reports/index.html`: every run, newest first, `current` as it is about to be
    /// recorded.
    func writeIndex(current: Ledger.RunOverview?, writtenAt: Date = Date()) throws {
        var runs = try ledger.runOverviews()
        if let current, let position = runs.firstIndex(where: { $0.id == current.id }) { runs[position] = current }
        try Self.publish([indexHTML(runs, current: current, writtenAt: writtenAt)], at: indexPath)
    }

    func indexHTML(_ runs: [Ledger.RunOverview], current: Ledger.RunOverview?, writtenAt: Date) -> String {
        let rows = runs.map { run -> [String: Any] in
            let verdict = StaffPageFormat.verdict(run.isFinished ? run.exitCode : nil)
            return [
                "runID": run.id, "href": run.id + ".html",
                "hasPage": hasPage(run, current: current),
                "date": format.dateTime(run.clock), "mode": run.mode.rawValue,
                "outcome": verdict.word, "outcomeStyle": verdict.style == "ok" ? "success" : verdict.style == "errors" ? "error" : "warning",
                "sent": StaffPageFormat.number(run.tally.resultsSent), "errors": StaffPageFormat.number(run.tally.rows(.error)),
                "warnings": StaffPageFormat.number(run.tally.rows(.warning)), "skipped": StaffPageFormat.number(run.tally.rows(.skipped)),
                "claimed": run.files.map { StaffPageFormat.number($0.claimed) } ?? "not recorded",
                "rejected": run.files.map { StaffPageFormat.number($0.rejected) } ?? "not recorded",
            ]
        }
        let values: [String: Any] = [
            "indexIntro":
                "\(StaffPageFormat.count(runs.count, "run")) in this workspace, newest first. Each run's page says what to fix; its CSV (reports/<run>.csv) has every row. A run without a link has no page: passback status --run RUN --html writes it, unless passback prune removed the run's files.",
            "trend": trend(runs, current: current).templateValues(),
            "runs": rows,
            "footer": "Written from the ledger by passback \(PassbackVersion.current) on \(format.dateTime(writtenAt)), times in \(format.timeZone.identifier).",
        ]
        return StaffPageTemplates.library.render(values, withTemplate: "index") ?? ""
    }

    /// Publishes a page, its parts one after the other, durably and private to the service
    /// account.
    static func publish(_ parts: [String], at path: String) throws {
        let file = try DurableFile(finalPath: path)
        for part in parts { try file.write(Array(part.utf8)) }
        try file.publish()
    }
}

// MARK: passback status --run ID --html

extension StaffReport {
    /// Why a run's page cannot be had.
    public struct Unavailable: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The path of a run's page, written first from the ledger when it is missing.
    /// - Throws: ``Unavailable`` when the workspace has no such run or the run has not finished;
    ///   ``SettingsError`` for bad settings; the ledger's or the file system's errors.
    public static func pagePath(runID: String, workspace: Workspace, settings: Settings) throws -> String {
        guard FileManager.default.fileExists(atPath: workspace.ledgerPath) else {
            throw Unavailable(description: "no run has used the workspace \(workspace.root.path) yet")
        }
        let ledger = try Ledger(path: workspace.ledgerPath, readOnly: true)
        let report = StaffReport(workspace: workspace, ledger: ledger, calendar: try settings.calendar())
        guard let overview = try ledger.runOverview(id: runID) else {
            throw Unavailable(description: "the ledger has no run \(runID); passback status lists the runs' requests")
        }
        let path = report.pagePath(of: runID)
        if FileManager.default.fileExists(atPath: path) { return path }
        if let pruned = overview.prunedAt {
            throw Unavailable(
                description:
                    "run \(runID) was pruned on \(report.format.dateTime(pruned)): its report rows are gone, so its page cannot be written again; passback status --run \(runID) still lists its requests"
            )
        }
        guard overview.isFinished else {
            throw Unavailable(description: "run \(runID) has not finished; the next passback run finishes it and writes its page")
        }
        try report.writePage(overview)
        return path
    }
}
