import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A bundle as a worker leaves it for the thread that records: what the ledger will record, and
/// the validated XML files waiting in `work/<run>/.out/` to be published first.
struct PreparedBundle: Sendable {
    var index: Int
    var bundle: InboxScanner.Bundle
    /// Outcomes (their `outboxFile` set when published), report rows, the processed record.
    var entry: Ledger.LedgerEntry
    var files: [PreparedFile]
}

/// One section's XML, written and valid, not yet published.
struct PreparedFile: Sendable {
    /// Which of the entry's outcomes it belongs to.
    var outcome: Int
    var sectionSISID: String
    var temporaryPath: String
    var bytes: Int
    var results: Int
}

/// Everything a worker needs to prepare a bundle; read-only and shared by the workers.
///
/// ``prepare(_:)`` does what one bundle needs up to publishing: read both files, check the rules
/// (``CourseChecker``), load each section's history and diff (``ResultSelector``), write each
/// section's XML to the run's temporary folder and validate it, and build the report rows and
/// outcomes. It touches nothing outside `work/<run>/.out/` and writes nothing to the ledger.
struct BundleWork: Sendable {
    let runID: String
    let mode: PassbackHeader.Mode
    let clock: Date
    let stages: PipelineStages
    let mover: InputMover
    let ledger: Ledger
    let checker: CourseChecker
    let selector: ResultSelector
    let header: PassbackHeader
    let logger: Logger
    let pending: [Batch.PendingBundle]
    let plan: Batch.BundlePlan

    private var stageClock: StageClock { .shared }

    func prepare(_ index: Int) throws -> PreparedBundle {
        let bundle = pending[index].bundle
        let scan = pending[index].scan
        let requests = plan.requests[bundle.stem] ?? []
        var prepared = PreparedBundle(index: index, bundle: bundle, entry: Ledger.LedgerEntry(), files: [])

        if let winner = plan.cancelledBy[bundle.stem] {
            let row = ReportRow(
                runID: runID, requestID: nil, status: .skipped, rule: .superseded,
                subject: ReportSubject(courseSISID: requests.first?.key.courseSISID, canvasCourseID: requests.first?.key.canvasCourseID),
                location: SourceLocation(file: bundle.json.relativePath),
                message: "Cancelled: a newer bundle of the same course (\(winner)) came in the same run; nothing of this one was sent."
            )
            prepared.entry = Ledger.LedgerEntry(
                statusChanges: [(.cancelled, requests.map(\.id))], report: ReportChunk([row]),
                bundle: ProcessedBundle(stem: bundle.stem, outcome: .cancelled, gradebookSHA256: scan.gradebookSHA256, jsonSHA256: scan.jsonSHA256, clean: false)
            )
            return prepared
        }
        stageClock.count("bundles", 1)

        // Read both files; a bad one sends the whole bundle to quarantine.
        var canvas: CanvasBundle?
        var gradebook: Gradebook?
        var failure: (file: InboxFile, error: InputFileError)?
        do {
            try stageClock.measure(.read) {
                canvas = try stages.bundleReader.read(fileAt: mover.claimedPath(bundle.json))
                gradebook = try stages.gradebookReader.read(fileAt: mover.claimedPath(bundle.gradebook))
            }
        } catch let error as InputFileError {
            failure = (canvas == nil ? bundle.json : bundle.gradebook, error)
        }
        guard let canvas, let gradebook else {
            guard let (bad, error) = failure else { throw LedgerError("bundle \(bundle.stem) was neither read nor refused") }
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: bad.relativePath, line: error.line)))
            let outcomes = requests.map {
                SyncRequestOutcome(requestID: $0.id, runID: runID, classSourcedID: $0.key.sectionSISID, status: .failed, lineItems: 0, resultsSent: 0, errors: 1, warnings: 0, outboxFile: nil, students: [], history: nil)
            }
            prepared.entry = Ledger.LedgerEntry(
                outcomes: outcomes, report: ReportChunk([row]),
                bundle: ProcessedBundle(
                    stem: bundle.stem, outcome: .rejected, gradebookSHA256: scan.gradebookSHA256, jsonSHA256: scan.jsonSHA256, clean: false,
                    rejection: .init(file: bad.relativePath, code: error.code, message: error.message, line: error.line)
                )
            )
            return prepared
        }

        // Rules and matching, then per section the diff and the XML.
        let sources = CourseChecker.Sources(stem: bundle.stem, gradebookFile: bundle.gradebook.relativePath, bundleFile: bundle.json.relativePath)
        let grades = stageClock.measure(.rules) { checker.check(bundle: canvas, gradebook: gradebook, sources: sources) }
        var report = ReportChunk(grades.diagnostics.map { ReportRow(runID: runID, requestID: nil, diagnostic: $0) })
        let courseErrors = grades.diagnostics.filter { $0.severity == .error }.count
        var clean = courseErrors == 0
        let requestIDs = Dictionary(requests.map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [SyncRequestOutcome] = []
        for (sectionNumber, section) in grades.sections.enumerated() {
            let requestID = requestIDs[section.request]
            let (selection, stored) = try stageClock.measure(.diff) {
                let stored = try ledger.storedHistory(ofSection: section.request.sectionSISID)
                let history = try stored.map(SectionHistoryCoding.decode) ?? .empty
                return (selector.select(section, history: history), stored)
            }
            var file: PreparedFile?
            var invalid: [String] = []
            if !selection.lineItems.isEmpty {
                (file, invalid) = try writeXML(section: section, lineItems: selection.lineItems, name: "\(index)-\(sectionNumber).xml")
            }
            let written = file != nil
            let reportStart = ContinuousClock.now
            var rows: [ReportRow] = []
            var students: Set<String> = []
            for diagnostic in section.diagnostics {
                rows.append(ReportRow(runID: runID, requestID: requestID, diagnostic: diagnostic))
                if let student = diagnostic.subject.studentSISID { students.insert(student) }
                if diagnostic.severity == .error || diagnostic.code == .categoryPendingVerification { clean = false }
            }
            let sentResults = written ? selection.lineItems.reduce(0) { $0 + $1.results.count } : 0
            if written {
                let names = Dictionary(section.lineItems.map { ($0.lineItem.sourcedID, $0) }, uniquingKeysWith: { a, _ in a })
                for item in selection.lineItems {
                    let candidate = names[item.sourcedID]
                    for result in item.results { students.insert(result.studentSourcedID) }
                    rows.append(ReportRow(
                        runID: runID, requestID: requestID, status: .success, rule: nil,
                        subject: ReportSubject(
                            courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID,
                            canvasCourseID: section.request.canvasCourseID, canvasAssignmentID: candidate?.canvasAssignmentID,
                            assignmentName: candidate?.assignmentName, categorySourcedID: item.categorySourcedID
                        ),
                        count: item.results.count, location: SourceLocation(file: bundle.gradebook.relativePath),
                        message: Batch.successMessage(item)
                    ))
                }
            } else if !invalid.isEmpty {
                clean = false
                rows.append(ReportRow(
                    runID: runID, requestID: requestID, status: .error, rule: .invalidOutput,
                    subject: ReportSubject(courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID, canvasCourseID: section.request.canvasCourseID),
                    message: "Nothing was sent for this section: the passback XML broke the schema (\(invalid.first ?? "")). This is a bug in passback; report it with the run id."
                ))
            }
            for row in Batch.ordered(rows) { report.append(row) }
            if stageClock.isEnabled { stageClock.add(.report, ContinuousClock.now - reportStart) }
            let errors = rows.filter { $0.status == .error }.count + courseErrors
            let warnings = rows.filter { $0.status == .warning }.count
            let status: SyncRequestStatus
            if !invalid.isEmpty {
                status = .failed
            } else if errors == 0 {
                status = .success
            } else {
                status = written ? .errors : .failed
            }
            if let requestID {
                var outcome = SyncRequestOutcome(
                    requestID: requestID, runID: runID, classSourcedID: section.request.sectionSISID, status: status,
                    lineItems: written ? selection.lineItems.count : 0, resultsSent: sentResults, errors: errors, warnings: warnings,
                    outboxFile: nil, students: students.sorted(), history: nil
                )
                if invalid.isEmpty, selection.historyChanged {
                    // Unchanged (same bytes as stored): nothing to write.
                    let encoded = stageClock.measure(.diff) { SectionHistoryCoding.encode(selection.history) }
                    if encoded != stored { outcome.encodedHistory = encoded }
                }
                if var file {
                    file.outcome = outcomes.count
                    prepared.files.append(file)
                }
                outcomes.append(outcome)
            } else if let file {
                // No request for this section (cannot happen with requests made from the same
                // bundle): nothing is published, as before.
                unlink(file.temporaryPath)
            }
        }
        prepared.entry = Ledger.LedgerEntry(
            outcomes: outcomes, report: report,
            bundle: ProcessedBundle(stem: bundle.stem, outcome: .sent, gradebookSHA256: scan.gradebookSHA256, jsonSHA256: scan.jsonSHA256, clean: clean)
        )
        return prepared
    }

    /// Writes one section's XML to the run's temporary folder and validates it.
    /// - Returns: the file, or the schema's complaints (the file is then left unpublished).
    private func writeXML(section: SectionGrades, lineItems: [PassbackLineItem], name: String) throws -> (PreparedFile?, [String]) {
        let folder = mover.outputFolder.path
        var info = stat()
        if stat(folder, &info) != 0 {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = folder + "/" + name
        let payload = PassbackSection(
            classSourcedID: section.request.sectionSISID, termSourcedID: section.termSourcedID, schoolID: section.schoolID ?? "unknown",
            canvasCourseID: section.request.canvasCourseID, canvasSectionID: section.request.canvasSectionID, lineItems: lineItems
        )
        try stageClock.measure(.writeXML) { try stages.passbackWriter.write(header: header, sections: [payload], to: temporary) }
        CrashPoint.afterXMLWritten.reach()
        let problems = stageClock.measure(.validate) { stages.passbackWriter.validate(fileAt: temporary) }
        guard problems.isEmpty else {
            logger.error("passback XML failed its schema", metadata: ["section_file": "\(name)", "problems": "\(problems.count)"])
            return (nil, problems)
        }
        // Start writing the valid file to disk now (POSIX_FADV_DONTNEED starts writeback of dirty
        // pages on Linux): the recording thread's fsync then mostly finds it written.
        let fd = open(temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd >= 0 {
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
            close(fd)
        }
        var size = 0
        if stageClock.isEnabled, stat(temporary, &info) == 0 { size = Int(info.st_size) }
        return (PreparedFile(outcome: 0, sectionSISID: section.request.sectionSISID, temporaryPath: temporary, bytes: size, results: lineItems.reduce(0) { $0 + $1.results.count }), [])
    }
}

/// Hands bundle indices to workers in input order, keeps their results until the recording
/// thread takes them, and holds a worker back while (a) it is too far ahead of what is recorded
/// (memory stays flat: at most `lookahead` prepared bundles wait) or (b) its bundle sends to an
/// Aspire section whose earlier bundle is not recorded yet.
final class BundleQueue: @unchecked Sendable {
    // @unchecked: every field is touched only under `condition`'s lock.
    private let condition = NSCondition()
    private let count: Int
    private let dependsOn: [Int]
    private let lookahead: Int
    private var nextIndex = 0
    private var recordedThrough = -1
    private var results: [Int: Result<PreparedBundle, any Error>] = [:]
    private var waitingOnDependency = 0
    private var stopped = false
    private var marked: Set<Int> = []

    init(count: Int, dependsOn: [Int], lookahead: Int) {
        self.count = count
        self.dependsOn = dependsOn
        self.lookahead = lookahead
    }

    /// The next index to prepare, once it may be prepared; `nil` when there is none.
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        var announced = false
        while !stopped, nextIndex < count, nextIndex - recordedThrough > lookahead {
            // Tell the recording thread once that the workers are stalled (it then records what
            // it has); broadcasting on every wake-up made the waiting threads wake each other
            // in a storm (270,000 futex calls in a 2,000-course run).
            if !announced {
                condition.broadcast()
                announced = true
            }
            condition.wait()
        }
        guard !stopped, nextIndex < count else { return nil }
        let index = nextIndex
        nextIndex += 1
        let dependency = dependsOn[index]
        if dependency > recordedThrough {
            waitingOnDependency += 1
            condition.broadcast()
            while !stopped, dependency > recordedThrough { condition.wait() }
            waitingOnDependency -= 1
        }
        return stopped ? nil : index
    }

    func deliver(_ index: Int, _ result: Result<PreparedBundle, any Error>) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    enum Next {
        case ready(Result<PreparedBundle, any Error>)
        case flush
    }

    /// Waits for the result of `index`, unless `flushWanted` (given whether the workers are
    /// stalled until something is recorded: one waits on a section's history, or they are as
    /// far ahead as the lookahead allows) says the pending batch should be recorded first.
    func next(_ index: Int, flushWanted: (Bool) -> Bool) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = results.removeValue(forKey: index) { return .ready(result) }
            let stalled = waitingOnDependency > 0 || (nextIndex < count && nextIndex - recordedThrough > lookahead)
            if flushWanted(stalled) { return .flush }
            condition.wait()
        }
    }

    /// Indices handed to workers after `index` (being prepared, or prepared and waiting).
    func dispatched(after index: Int) -> [Int] {
        condition.lock()
        defer { condition.unlock() }
        return index + 1 < nextIndex ? Array((index + 1)..<nextIndex) : []
    }

    /// True the first time it is asked for `index`: its requests are to be marked in progress.
    func markInProgress(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return marked.insert(index).inserted
    }

    func recorded(through index: Int) {
        condition.lock()
        recordedThrough = max(recordedThrough, index)
        marked = marked.filter { $0 > recordedThrough }
        condition.broadcast()
        condition.unlock()
    }

    /// Lets every worker go home (after a failure, or at the end).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
