import Foundation
import Logging

/// What every phase of a started run shares, read-only: who it is (id, clock, mode), where it
/// works, and the stages and settings it runs with.
struct RunContext: Sendable {
    let record: Ledger.RunRecord
    let workspace: Workspace
    let ledger: Ledger
    let mover: InputMover
    let stages: PipelineStages
    let settings: Settings
    let calendar: SchoolCalendar
    let logger: Logger
    /// How many threads read, check and write bundles.
    let workers: Int
    /// A signal's request to stop after the commit group in flight.
    let stop: StopRequest?

    init(record: Ledger.RunRecord, pipeline: RunPipeline, ledger: Ledger, calendar: SchoolCalendar, workers: Int, stop: StopRequest? = nil) {
        self.record = record
        workspace = pipeline.workspace
        self.ledger = ledger
        mover = InputMover(workspace: pipeline.workspace, runID: record.id)
        stages = pipeline.stages
        settings = pipeline.settings
        self.calendar = calendar
        logger = pipeline.logger
        self.workers = workers
        self.stop = stop
    }

    /// Throws when a stop was requested: called between phases and after each commit group,
    /// where everything done so far is recorded.
    func stopIfRequested(_ done: @autoclosure () -> String) throws {
        guard let stop, stop.isRequested else { return }
        throw StoppedBySignal(signal: stop.signalName, done: done())
    }

    var runID: String { record.id }
    var clock: Date { record.clock }
    var mode: PassbackHeader.Mode { record.mode }
    /// The run's date in the school's zone (the archive folder's name).
    var today: LocalDate { calendar.localDate(of: record.clock) }

    /// Records one rejected file's report row (its own transaction).
    func reportRejection(_ file: InboxFile, code: RuleCode, message: String, line: Int? = nil) throws {
        let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(code, message, location: SourceLocation(file: file.relativePath, line: line)))
        try ledger.appendReport(ReportChunk([row]), runID: runID)
    }
}

/// A run stopped at a signal's request, with what it had recorded.
struct StoppedBySignal: Error, CustomStringConvertible {
    var signal: String
    var done: String
    var description: String { "stopped by \(signal) after \(done)" }
}
