import Foundation
import Logging

extension RuleCode {
    /// A bundle superseded by a newer bundle of the same course in the same run.
    public static let superseded = RuleCode("superseded")
    /// The project wrote XML that breaks its own schema: a bug; nothing is published for it.
    public static let invalidOutput = RuleCode("invalid-output")
}

/// One batch over a workspace: intake → read → rules → match → diff → write → report → ledger.
///
/// Course bundles are the unit of work and of memory: each is read, checked, written and
/// committed before the next, so memory does not grow with the inbox. For each bundle the XML is
/// published to `outbox/` first and the ledger records it as sent after, in one transaction.
public final class RunPipeline {
    public let workspace: Workspace
    public let settings: Settings
    public let stages: PipelineStages
    public var logger: Logger

    public init(workspace: Workspace, settings: Settings, stages: PipelineStages, logger: Logger = Logger(label: "passback")) {
        self.workspace = workspace
        self.settings = settings
        self.stages = stages
        self.logger = logger
    }

    /// Runs one batch.
    /// - Throws: ``RunLock/Busy`` (exit 75) or ``SettingsError`` (exit 2) before anything is
    ///   claimed; ``RunFailure`` when a started run cannot finish.
    public func run(_ options: RunOptions) throws -> RunSummary {
        let calendar = try settings.calendar()
        try workspace.prepare()
        let lock = try RunLock(path: workspace.lockPath)
        defer { lock.release() }
        let ledger: Ledger
        do {
            ledger = try Ledger(path: workspace.ledgerPath)
        } catch {
            throw SettingsError("the ledger \(workspace.ledgerPath) cannot be opened: \(error)")
        }
        let scanner = InboxScanner(settleTime: TimeInterval(settings.settleSeconds), incompleteBundleWait: TimeInterval(settings.incompleteBundleWaitHours) * 3600)
        let scan = try scanner.scan(inbox: workspace.inbox, now: options.wallClock)
        var summary = RunSummary()
        summary.filesWaiting = scan.waiting.count
        guard !scan.isEmpty else {
            logger.info("nothing to do", metadata: ["waiting": "\(scan.waiting.count)"])
            return summary
        }

        let runID = try ledger.makeRunID(now: options.clock)
        try ledger.beginRun(id: runID, clock: options.clock, mode: options.mode)
        summary.runID = runID
        logger.info("run started", metadata: ["run": "\(runID)", "mode": "\(options.mode.rawValue)", "bundles": "\(scan.bundles.count)", "category_exports": "\(scan.categoryExports.count)"])
        var batch = Batch(
            pipeline: self, ledger: ledger, runID: runID, options: options, calendar: calendar,
            mover: InputMover(workspace: workspace, runID: runID), summary: summary
        )
        do {
            try batch.execute(scan)
        } catch {
            logger.error("run failed", metadata: ["run": "\(runID)", "error": "\(error)"])
            try? ledger.finishRun(id: runID, status: "failed", exitCode: 1, reportFile: nil, summary: "\(error)")
            throw RunFailure(runID: runID, "run \(runID) stopped: \(error)")
        }
        summary = batch.summary
        try ledger.finishRun(id: runID, status: "finished", exitCode: summary.exitCode, reportFile: summary.reportPath, summary: summary.line)
        logger.info("run finished", metadata: ["run": "\(runID)", "summary": "\(summary.line)"])
        return summary
    }
}
