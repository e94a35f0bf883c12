import Foundation
import Logging
import Synchronization

/// A bundle as a worker leaves it for the thread that records: what the ledger will record, and
/// the validated XML files waiting in `work/<run>/.out/` to be published first.
struct PreparedBundle: Sendable {
    var index: Int
    var bundle: InboxScanner.Bundle
    /// Outcomes (their `outboxFile` set when published), report rows, the processed record.
    var entry: Ledger.LedgerEntry
    var files: [PreparedFile]
}

/// Phase 5 on the worker threads: what one bundle needs up to publishing. A cancelled bundle
/// only reports why; the others are read (``BundleReading``), checked (``CourseChecker``), and
/// each Aspire section's outcome made (``SectionOutcome``): the diff against its history, its
/// XML written and validated, its report rows and request status. It touches nothing outside
/// `work/<run>/.out/` and writes nothing to the ledger, so workers prepare bundles in any order.
struct BundlePreparer: Sendable {
    let context: RunContext
    let plan: RunPlanner.Plan
    let checker: CourseChecker
    let sections: SectionOutcome.Maker

    init(context: RunContext, plan: RunPlanner.Plan, matcher: CategoryMatcher) {
        self.context = context
        self.plan = plan
        let settings = RuleSettings(context.settings, calendar: context.calendar, now: context.clock)
        checker = CourseChecker(rules: context.stages.rules, matcher: matcher, settings: settings)
        sections = SectionOutcome.Maker(context: context)
    }

    private var stageClock: StageClock { .shared }
    private var runID: String { context.runID }

    func prepare(_ index: Int) throws -> PreparedBundle {
        let planned = plan.bundles[index]
        let bundle = planned.bundle
        var prepared = PreparedBundle(index: index, bundle: bundle, entry: Ledger.LedgerEntry(), files: [])
        if let winner = planned.cancelledBy {
            prepared.entry = cancelled(planned, by: winner)
            return prepared
        }
        if let stops = planned.setAsideAfterStops {
            let error = InputFileError(
                .stoppedTwice,
                "\(stops) runs stopped while preparing this course (the process was killed, most often for lack of memory, or it failed as the log says); it was set aside unread so that the rest of the district goes on. Check its files' size against the server's memory (a large course needs about 30 bytes per grade cell: about 225 MB for a 40 MB gradebook of 7 million cells; see max_input_bytes), then drop it again."
            )
            prepared.entry = rejected(planned, file: bundle.gradebook, error: error)
            return prepared
        }
        CrashPoint.poison(bundle.stem)
        stageClock.count("bundles", 1)

        let read: BundleReading.Read
        switch try BundleReading(context: context).read(bundle) {
        case .read(let files): read = files
        case .rejected(let file, let error):
            prepared.entry = rejected(planned, file: file, error: error)
            return prepared
        }

        // What concerns the course as a whole, then each section's outcome, its line items made,
        // diffed and written one at a time.
        let sources = CourseChecker.Sources(stem: bundle.stem, gradebookFile: bundle.gradebook.relativePath, bundleFile: bundle.json.relativePath)
        let course = stageClock.measure(.rules) { checker.begin(bundle: read.canvas, gradebook: read.gradebook, sources: sources) }
        var report = ReportChunk(course.diagnostics.map { ReportRow(runID: runID, requestID: nil, diagnostic: $0) })
        let courseErrors = course.diagnostics.filter { $0.severity == .error }.count
        var clean = courseErrors == 0
        let requestIDs = Dictionary(planned.requests.map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [SyncRequestOutcome] = []
        let made = makeSections(
            course.sections, index: index, requestIDs: requestIDs, courseErrors: courseErrors, gradebookFile: bundle.gradebook.relativePath, cells: read.gradebook.cellCount)
        for result in made {
            guard case .failure(let failure) = result else { continue }
            // Nothing of the course goes out: the sections' files made so far are removed.
            for case .success(let section) in made { if let file = section.file { unlink(file.temporaryPath) } }
            guard let damaged = failure as? DamagedHistory else { throw failure }
            // One damaged ledger row sets this course aside, naming the section; the district goes on.
            let error = InputFileError(
                .damagedHistory,
                "The ledger's record of what Aspire section \(damaged.section) holds is damaged (\(damaged.problem)), so what changed cannot be worked out; nothing of this course was sent. Drop the course again and run passback run --bulk, which sends every grade and records the section anew, or restore the ledger from its backup."
            )
            prepared.entry = rejected(planned, file: bundle.gradebook, error: error)
            return prepared
        }
        for case .success(let section) in made {
            for row in section.rows { report.append(row) }
            if !section.clean { clean = false }
            guard let outcome = section.outcome else { continue }
            if var file = section.file {
                file.outcome = outcomes.count
                prepared.files.append(file)
            }
            outcomes.append(outcome)
        }
        prepared.entry = Ledger.LedgerEntry(
            outcomes: outcomes, report: report,
            bundle: ProcessedBundle(stem: bundle.stem, outcome: .sent, gradebookSHA256: planned.scan.gradebookSHA256, jsonSHA256: planned.scan.jsonSHA256, clean: clean)
        )
        return prepared
    }

    /// Grade cells from which a course's sections are prepared at the same time (each on a thread
    /// of its own, its XML validated on another): a course this large would otherwise keep one
    /// core busy while the district's other bundles are done (issue 12: one course of 7 million
    /// cells took five times as long per cell as a district of small ones). Smaller courses keep
    /// one thread each; the worker pool already runs several of them at once.
    static let parallelSectionCells = 200_000

    /// Each section's outcome, in the course's order; the sections of a large course at the same
    /// time. A section that fails (a damaged history, or what stops the run) is a `failure`; one
    /// at a time, the sections after the first failure are not made.
    private func makeSections(_ all: [SectionCandidates], index: Int, requestIDs: [SyncRequestKey: String], courseErrors: Int, gradebookFile: String, cells: Int) -> [Result<
        SectionOutcome, any Error
    >] {
        @Sendable func make(_ number: Int) -> Result<SectionOutcome, any Error> {
            var section = all[number]
            let key = section.request
            return Result {
                try sections.make(&section, requestID: requestIDs[key], courseErrors: courseErrors, gradebookFile: gradebookFile, temporaryName: "\(index)-\(number).xml")
            }
        }
        guard all.count > 1, cells >= Self.parallelSectionCells else {
            var made: [Result<SectionOutcome, any Error>] = []
            for number in all.indices {
                made.append(make(number))
                if case .failure = made[number] { break }
            }
            return made
        }
        let made = Mutex([Result<SectionOutcome, any Error>?](repeating: nil, count: all.count))
        DispatchQueue.concurrentPerform(iterations: all.count) { number in
            let outcome = make(number)
            made.withLock { $0[number] = outcome }
        }
        return made.withLock { $0.map { $0! } }
    }

    /// A newer bundle of the same course came in the same run: nothing of this one is sent.
    private func cancelled(_ planned: RunPlanner.PlannedBundle, by winner: String) -> Ledger.LedgerEntry {
        let row = ReportRow(
            runID: runID, requestID: nil, status: .skipped, rule: .superseded,
            subject: ReportSubject(courseSISID: planned.requests.first?.key.courseSISID, canvasCourseID: planned.requests.first?.key.canvasCourseID),
            location: SourceLocation(file: planned.bundle.json.relativePath),
            message: "Cancelled: a newer bundle of the same course (\(winner)) came in the same run; nothing of this one was sent."
        )
        return Ledger.LedgerEntry(
            statusChanges: [(.cancelled, planned.requests.map(\.id))], report: ReportChunk([row]),
            bundle: ProcessedBundle(
                stem: planned.bundle.stem, outcome: .cancelled, gradebookSHA256: planned.scan.gradebookSHA256, jsonSHA256: planned.scan.jsonSHA256, clean: false)
        )
    }

    /// A file of the bundle breaks the contract: every request fails, both files go to quarantine.
    private func rejected(_ planned: RunPlanner.PlannedBundle, file: InboxFile, error: InputFileError) -> Ledger.LedgerEntry {
        let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: file.relativePath, line: error.line)))
        let outcomes = planned.requests.map {
            SyncRequestOutcome(
                requestID: $0.id, runID: runID, classSourcedID: $0.key.sectionSISID, status: .failed, lineItems: 0, resultsSent: 0, errors: 1, warnings: 0, outboxFile: nil,
                students: [], history: nil)
        }
        return Ledger.LedgerEntry(
            outcomes: outcomes, report: ReportChunk([row]),
            bundle: ProcessedBundle(
                stem: planned.bundle.stem, outcome: .rejected, gradebookSHA256: planned.scan.gradebookSHA256, jsonSHA256: planned.scan.jsonSHA256, clean: false,
                rejection: .init(file: file.relativePath, code: error.code, message: error.message, line: error.line)
            )
        )
    }
}

/// Reads a claimed bundle's two files; a file that breaks the contract rejects the bundle.
struct BundleReading {
    let context: RunContext

    struct Read {
        var canvas: CanvasBundle
        var gradebook: Gradebook
    }

    enum Outcome {
        case read(Read)
        /// The file to blame and why.
        case rejected(InboxFile, InputFileError)
    }

    /// - Throws: what the readers throw besides ``InputFileError`` (a file that cannot be read
    ///   at all): the run stops.
    func read(_ bundle: InboxScanner.Bundle) throws -> Outcome {
        let mover = context.mover
        var canvas: CanvasBundle?
        do {
            return try StageClock.shared.measure(.read) {
                let json = try context.stages.bundleReader.read(fileAt: mover.claimedPath(bundle.json))
                canvas = json
                return .read(Read(canvas: json, gradebook: try context.stages.gradebookReader.read(fileAt: mover.claimedPath(bundle.gradebook))))
            }
        } catch let error as InputFileError {
            return .rejected(canvas == nil ? bundle.json : bundle.gradebook, error)
        }
    }
}

extension RuleCode {
    /// A bundle on which two runs stopped (killed, or failed) is quarantined unread (spec v2,
    /// section 6: one file must never stop a district's nights).
    static let stoppedTwice = RuleCode("stopped-twice")
}
