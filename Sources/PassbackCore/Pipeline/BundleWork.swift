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
                        message: Self.successMessage(item)
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
            for row in Self.ordered(rows) { report.append(row) }
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

    /// Rows of a section in the report's order: rows about no assignment first (students), then
    /// per assignment its problems followed by its success row.
    private static func ordered(_ rows: [ReportRow]) -> [ReportRow] {
        var order: [String] = []
        var byAssignment: [String: [ReportRow]] = [:]
        var general: [ReportRow] = []
        for row in rows {
            guard let id = row.subject.canvasAssignmentID else {
                general.append(row)
                continue
            }
            if byAssignment[id] == nil { order.append(id) }
            byAssignment[id, default: []].append(row)
        }
        return general + order.flatMap { byAssignment[$0]! }
    }

    private static func successMessage(_ item: PassbackLineItem) -> String {
        let deletions = item.results.filter { $0.status == .toBeDeleted }.count
        let grades = item.results.count - deletions
        var text = "Sent \(grades) grade\(grades == 1 ? "" : "s")"
        if deletions > 0 { text += " and \(deletions) deletion\(deletions == 1 ? "" : "s")" }
        return text + " (due \(item.dueDate), category \(item.categorySourcedID))."
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
