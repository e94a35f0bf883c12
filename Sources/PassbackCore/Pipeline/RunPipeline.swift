import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension RuleCode {
    /// A bundle superseded by a newer bundle of the same course in the same run.
    static let superseded = RuleCode("superseded")
    /// The project wrote XML that breaks its own schema: a bug; nothing is published for it.
    static let invalidOutput = RuleCode("invalid-output")
}

/// One batch over a workspace: intake → read → rules → match → diff → write → report → ledger.
///
/// Course bundles are the unit of work and of memory: worker threads read, check, write and
/// validate them a bounded window ahead of the thread that publishes and records them in input
/// order (``Run``), so memory does not grow with the inbox. A bundle's XML is published to
/// `outbox/` first and the ledger records it as sent after (one transaction per batch).
public final class RunPipeline {
    let workspace: Workspace
    let settings: Settings
    let stages: PipelineStages
    var logger: Logger

    public init(workspace: Workspace, settings: Settings, stages: PipelineStages, logger: Logger = Logger(label: "passback")) {
        self.workspace = workspace
        self.settings = settings
        self.stages = stages
        self.logger = logger
    }

    /// How far the system clock may lag the last run's before a run refuses to start (two
    /// machines' clocks, or an NTP correction, differ by a little).
    static let clockTolerance: TimeInterval = 300

    /// Runs one batch.
    /// - Throws: ``RunError``: of kind ``RunError/Kind/settings``, ``RunError/Kind/workspace``,
    ///   ``RunError/Kind/ledger`` or ``RunError/Kind/busy`` before anything is claimed;
    ///   ``RunError/Kind/stoppedPartWay`` when a started run cannot finish.
    public func run(_ options: RunOptions) throws(RunError) -> RunSummary {
        // Everything this process creates holds student records: owner only, whatever the caller's umask.
        umask(0o077)
        if options.timings { StageClock.shared.enable() }
        let calendar: SchoolCalendar
        do {
            calendar = try settings.calendar()
        } catch {
            throw RunError(.settings, "\(error)")
        }
        let lock: RunLock
        do {
            try workspace.prepare()
            lock = try RunLock(path: workspace.lockPath)
        } catch is RunLock.Busy {
            throw RunError(.busy, "another passback run holds the lock of \(workspace.root.path); try again later")
        } catch {
            throw RunError(.workspace, "\(error)")
        }
        defer { lock.release() }
        let ledger = try WorkspaceLedger.open(workspace)
        // After the run's last commit, whatever its outcome: the ledger file alone then holds it.
        defer { checkpoint(ledger) }
        do {
            return try run(options, calendar: calendar, ledger: ledger)
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.ledger, "the ledger \(workspace.ledgerPath) cannot be used: \(error)")
        }
    }

    /// The run once its workspace is locked and its ledger open.
    private func run(_ options: RunOptions, calendar: SchoolCalendar, ledger: Ledger) throws -> RunSummary {
        // A clock that went back (a lost RTC, a bad NTP source) would date grades and ids before
        // those already sent, and make the window look at the wrong days.
        if !options.clockIsFixed, let last = try ledger.latestFinishedClock(), options.clock < last.addingTimeInterval(-Self.clockTolerance) {
            throw RunError(
                .clock,
                "the system clock says \(ISOTimestamp.format(options.clock)), earlier than the clock of the last finished run (\(ISOTimestamp.format(last))); nothing was done. Fix the system clock (timedatectl, NTP), or give --now to replay a run at a chosen time on purpose"
            )
        }
        // A run that died left its claimed files and its ledger rows: finish it first, under its
        // own id and clock, before claiming anything new.
        var resumed: [RunSummary] = []
        let unfinishedRuns = try ledger.unfinishedRuns()
        let returned = try returnUnknownWorkFolders(known: Set(unfinishedRuns.map(\.id)))
        for unfinished in unfinishedRuns {
            logger.warning("finishing a run that was interrupted", metadata: ["run": "\(unfinished.id)"])
            try countStop(of: unfinished.id, ledger: ledger)
            var run = Run(context: RunContext(record: unfinished, pipeline: self, ledger: ledger, calendar: calendar, workers: options.workerCount, stop: options.stop))
            resumed.append(
                try guarded(unfinished.id) {
                    try run.process()
                    return try run.finish()
                })
            logger.info("run finished", metadata: ["run": "\(unfinished.id)", "exit": "\(resumed.last!.ownExitCode)"])
        }

        StageClock.shared.mark("opened")
        let scanner = InboxScanner(
            settleTime: TimeInterval(settings.settleSeconds), incompleteBundleWait: TimeInterval(settings.incompleteBundleWaitHours) * 3600,
            maximumInputBytes: settings.maxInputBytes)
        let scan: InboxScanner.Scan
        do {
            scan = try StageClock.shared.measure(.intake) { try scanner.scan(inbox: workspace.inbox, now: options.wallClock) }
        } catch {
            throw RunError(.workspace, "the inbox cannot be listed: \(error)")
        }
        CrashPoint.afterListing.reach()
        for file in scan.futureDated {
            logger.warning(
                "file dated in the future: it settles by when it last changed instead (check the clock of the machine that wrote it)",
                metadata: ["file": "\(file.relativePath)", "modified": "\(ISOTimestamp.format(file.modified))"])
        }
        for folder in scan.unreadableFolders {
            logger.warning("inbox folder skipped: it cannot be listed (give the service account read and search permission on it)", metadata: ["folder": "\(folder)"])
        }
        guard !scan.isEmpty else {
            var summary = RunSummary()
            summary.filesWaiting = scan.waiting.count
            summary.resumed = resumed
            logger.info("nothing to do", metadata: ["waiting": "\(scan.waiting.count)"])
            return summary
        }

        StageClock.shared.mark("listed")
        let record = Ledger.RunRecord(id: try ledger.makeRunID(now: options.clock, taken: usedRunNames() + returned.map(\.runID)), clock: options.clock, mode: options.mode)
        try ledger.beginRun(id: record.id, clock: record.clock, mode: record.mode)
        logger.info(
            "run started",
            metadata: ["run": "\(record.id)", "mode": "\(record.mode.rawValue)", "bundles": "\(scan.bundles.count)", "category_exports": "\(scan.categoryExports.count)"])
        for folder in returned {
            let row = ReportRow(
                runID: record.id, requestID: nil, status: .warning, rule: nil, subject: ReportSubject(), location: SourceLocation(file: "work/\(folder.runID)/"),
                message:
                    "The files of run \(folder.runID), which the ledger does not know (it was restored from a backup, or lost its last writes), were put back into the inbox and claimed again by this run: \(folder.files) file(s)."
            )
            try ledger.appendReport(ReportChunk([row]), runID: record.id)
        }
        // In the report too, not only the log: the registrar who dropped files there reads the
        // report (and the staff page), not the journal.
        if !scan.unreadableFolders.isEmpty {
            let rows = scan.unreadableFolders.map { folder in
                ReportRow(
                    runID: record.id, requestID: nil, status: .warning, rule: nil, subject: ReportSubject(), location: SourceLocation(file: "inbox/\(folder)/"),
                    message:
                        "This inbox folder cannot be listed by passback's service account, so nothing in it was looked at; its files stay where they are. Give the service account read and search permission on it (for example chmod g+rx with the workspace's group), or move the files to the inbox itself."
                )
            }
            try ledger.appendReport(ReportChunk(rows), runID: record.id)
        }
        var run = Run(context: RunContext(record: record, pipeline: self, ledger: ledger, calendar: calendar, workers: options.workerCount, stop: options.stop))
        var summary = try guarded(record.id) {
            try run.claim(scan)
            try run.process()
            return try run.finish()
        }
        summary.resumed = resumed
        logger.info("run finished", metadata: ["run": "\(record.id)", "exit": "\(summary.ownExitCode)"])
        return summary
    }

    /// Empties the ledger's `-wal` into `ledger.sqlite` after a run (``Ledger/checkpoint()``),
    /// so a `-wal` lost between runs (a backup or restore of `ledger.sqlite` alone) loses no
    /// committed run. One that cannot finish is a warning, never a failed run: what it did not
    /// move is still committed in the `-wal`, and the next run's checkpoint moves it.
    private func checkpoint(_ ledger: Ledger) {
        do {
            if try !ledger.checkpoint() {
                logger.warning("the ledger's write-ahead log (state/ledger.sqlite-wal) could not be emptied: a reader held it; the next run empties it")
            }
        } catch {
            logger.warning("the ledger's write-ahead log (state/ledger.sqlite-wal) could not be emptied", metadata: ["error": "\(error)"])
        }
    }

    /// Puts back into the inbox the inputs of every `work/<run id>/` whose run the ledger does not
    /// have as unfinished: a ledger restored from a backup, or one that lost its last writes,
    /// never heard of it, so nothing would ever finish it. Claimed again, they are processed as
    /// new drops (a byte-identical bundle the ledger knows as sent stays a duplicate).
    private func returnUnknownWorkFolders(known: Set<String>) throws -> [(runID: String, files: Int)] {
        var returned: [(String, Int)] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.work.path)) ?? []
        for runID in names.sorted() where !known.contains(runID) && !runID.hasPrefix(".") {
            let mover = InputMover(workspace: workspace, runID: runID)
            let files = try mover.claimedFiles()
            for file in files { try mover.returnToInbox(file) }
            try mover.discardEmptyWorkFolder()
            logger.warning("files of a run the ledger does not know were put back into the inbox", metadata: ["run": "\(runID)", "files": "\(files.count)"])
            returned.append((runID, files.count))
        }
        return returned
    }

    /// Counts the stop of a run being finished against the bundles it was preparing when it
    /// stopped (its ``FlightRecorder``); a bundle two runs stopped on is then set aside by the
    /// planner.
    private func countStop(of runID: String, ledger: Ledger) throws {
        let folder = workspace.work.appendingPathComponent(runID).path
        let suspects = FlightRecorder.suspects(runFolder: folder)
        let stops = try ledger.recordStop(runID: runID, bundles: suspects)
        FlightRecorder.clear(runFolder: folder)
        for (stem, count) in stops.sorted(by: { $0.key < $1.key }) {
            logger.warning("the run stopped while preparing a bundle", metadata: ["run": "\(runID)", "bundle": "\(stem)", "stops": "\(count)"])
        }
    }

    /// Names in the workspace that carry run ids: reports, work folders, quarantine folders.
    private func usedRunNames() -> [String] {
        [workspace.reports, workspace.work, workspace.quarantine].flatMap { folder in
            (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        }
    }

    /// Runs a started run's work; a failure leaves the run unfinished in the ledger (the next
    /// invocation finishes it) and stops this one.
    private func guarded(_ runID: String, _ work: () throws -> RunSummary) throws(RunError) -> RunSummary {
        do {
            return try work()
        } catch let stop as StoppedBySignal {
            logger.warning("run stopped", metadata: ["run": "\(runID)", "signal": "\(stop.signal)"])
            throw RunError(.stoppedPartWay, "run \(runID) stopped part-way: \(stop); what it recorded is kept, and the next run finishes it", runID: runID)
        } catch {
            logger.error("run stopped", metadata: ["run": "\(runID)", "error": "\(error)"])
            throw RunError(.stoppedPartWay, "run \(runID) stopped part-way: \(error); what it did is kept, and the next run finishes it once the cause is fixed", runID: runID)
        }
    }
}
