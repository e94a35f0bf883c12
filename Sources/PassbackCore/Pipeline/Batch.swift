import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The work of one run once its id exists: claims, reads, checks, writes, reports and records.
///
/// Everything a run decides is committed to the ledger bundle by bundle, report rows included,
/// and the report file is written from the ledger at the end. So a run killed at any point is
/// finished by the next invocation (``resume``): its claimed files are still in `work/<run id>/`,
/// the bundles already committed are only archived, the others are processed again with the
/// run's own clock and ids, and an XML file already published to `outbox/` is adopted, never
/// written again under another name.
struct Batch {
    let pipeline: RunPipeline
    let ledger: Ledger
    let run: Ledger.RunRecord
    let calendar: SchoolCalendar
    let mover: InputMover
    var filesClaimed = 0
    var filesWaiting = 0
    var filesRejected = 0
    private var requestNumber = 0
    /// XML files of this run in `outbox/`, by the request that published them.
    private var publishedNames: Set<String> = []

    init(pipeline: RunPipeline, ledger: Ledger, run: Ledger.RunRecord, calendar: SchoolCalendar) {
        self.pipeline = pipeline
        self.ledger = ledger
        self.run = run
        self.calendar = calendar
        mover = InputMover(workspace: pipeline.workspace, runID: run.id)
    }

    private var runID: String { run.id }
    private var workspace: Workspace { pipeline.workspace }
    private var stages: PipelineStages { pipeline.stages }
    private var logger: Logger { pipeline.logger }
    private var today: LocalDate { calendar.localDate(of: run.clock) }
    private var clock: StageClock { .shared }

    // MARK: Intake

    /// Refuses what must not be read and claims the rest (a new run only).
    mutating func intake(_ scan: InboxScanner.Scan) throws {
        try clock.measure(.intake) { try claim(scan) }
        CrashPoint.afterClaim.reach()
    }

    private mutating func claim(_ scan: InboxScanner.Scan) throws {
        for rejection in scan.rejected {
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(rejection.code, rejection.message, location: SourceLocation(file: rejection.file.relativePath)))
            try ledger.appendReport(ReportChunk([row]), runID: runID)
            try mover.quarantine(rejection.file, code: rejection.code, message: rejection.message, line: nil, claimed: false)
            filesRejected += 1
            logger.warning("file rejected", metadata: ["file": "\(rejection.file.relativePath)", "rule": "\(rejection.code)"])
        }
        for file in scan.categoryExports + scan.bundles.flatMap({ [$0.gradebook, $0.json] }) {
            try mover.claim(file)
            if let refusal = mover.refusalOfClaimed(file) {
                let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(.unknownFile, refusal, location: SourceLocation(file: file.relativePath)))
                try ledger.appendReport(ReportChunk([row]), runID: runID)
                try mover.quarantine(file, code: .unknownFile, message: refusal, line: nil, claimed: true)
                filesRejected += 1
                continue
            }
            filesClaimed += 1
        }
        filesWaiting = scan.waiting.count
    }

    // MARK: Processing

    /// Processes what is in the run's work folder: category exports first (bundles of this run
    /// are matched against them), then course bundles.
    mutating func processClaimed() throws {
        let claimed = try mover.claimedFiles()
        if filesClaimed == 0 { filesClaimed = claimed.count }
        var gradebooks: [String: InboxFile] = [:]
        var jsons: [String: InboxFile] = [:]
        let done = try ledger.processedBundles(runID: runID)
        for file in claimed {
            switch InputKind(relativePath: file.relativePath) {
            case .categoriesCSV, .categoriesXML:
                if let outcome = done[file.relativePath] {
                    try finishFiles([file], outcome)
                } else {
                    try clock.measure(.intake) { try importCategories(file) }
                }
            case .gradebook(let stem):
                gradebooks[stem] = file
            case .bundleJSON(let stem):
                jsons[stem] = file
            case .unknown:
                try mover.returnToInbox(file)
            }
        }
        var bundles: [InboxScanner.Bundle] = []
        for stem in Set(gradebooks.keys).union(jsons.keys).sorted() {
            if let g = gradebooks[stem], let j = jsons[stem] {
                bundles.append(InboxScanner.Bundle(stem: stem, gradebook: g, json: j))
            } else if let half = gradebooks[stem] ?? jsons[stem] {
                // A killed run claimed one file of the pair: the next run claims both.
                try mover.returnToInbox(half)
            }
        }
        let matcher = CategoryMatcher(catalog: try ledger.categoryCatalog())
        let settings = RuleSettings(nameLengthLimit: pipeline.settings.nameLengthLimit, calendar: calendar, now: run.clock)
        let checker = CourseChecker(rules: stages.rules, matcher: matcher, settings: settings)
        publishedNames = try ledger.publishedFiles(runID: runID)
        var digests: [String: (gradebook: String, json: String)] = [:]
        var pending: [InboxScanner.Bundle] = []
        for bundle in bundles {
            if let outcome = done[bundle.stem] {
                try finishFiles([bundle.gradebook, bundle.json], outcome)
                continue
            }
            let digest = try clock.measure(.intake) { (try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.gradebook)), try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.json))) }
            if run.mode == .incremental, let earlier = try ledger.duplicateOf(gradebookSHA256: digest.0, jsonSHA256: digest.1) {
                try skipDuplicate(bundle, digest: digest, earlierRun: earlier)
                continue
            }
            digests[bundle.stem] = digest
            pending.append(bundle)
        }
        let plan = try clock.measure(.plan) { try planBundles(pending) }
        for bundle in pending {
            try process(bundle, digest: digests[bundle.stem]!, plan: plan, checker: checker)
        }
    }

    /// A bundle byte-identical to one an earlier run processed without errors or held grades:
    /// archived, reported, nothing resent (spec section 6; `--bulk` processes it all the same).
    private mutating func skipDuplicate(_ bundle: InboxScanner.Bundle, digest: (gradebook: String, json: String), earlierRun: String) throws {
        let row = ReportRow(
            runID: runID, requestID: nil, status: .skipped, rule: .duplicateFile, subject: ReportSubject(),
            location: SourceLocation(file: bundle.json.relativePath),
            message: "Nothing resent: \(bundle.gradebook.name) and \(bundle.json.name) are byte-identical to a bundle that run \(earlierRun) processed without errors. Run with --bulk to send it all again."
        )
        let outcome = ProcessedBundle(stem: bundle.stem, outcome: .duplicate, gradebookSHA256: digest.gradebook, jsonSHA256: digest.json, clean: false)
        try ledger.commit([], report: ReportChunk([row]), bundle: outcome, runID: runID, at: run.clock)
        try finishFiles([bundle.gradebook, bundle.json], outcome)
    }

    /// Writes the report from the ledger, marks the run finished, clears the work folder.
    mutating func finish() throws -> RunSummary {
        let reportPath = workspace.reports.appendingPathComponent("\(runID).csv").path
        try clock.measure(.report) {
            let report = try ReportWriter(path: reportPath)
            try ledger.reportBodies(runID: runID) { try report.appendEncoded($0) }
            try report.finish()
        }
        CrashPoint.afterReport.reach()
        var summary = RunSummary()
        summary.runID = runID
        summary.reportPath = reportPath
        summary.rows = try ledger.reportCounts(runID: runID)
        let totals = try ledger.requestTotals(runID: runID)
        summary.requests = totals.statuses
        summary.resultsSent = totals.results
        summary.xmlFiles = totals.files
        summary.filesClaimed = filesClaimed
        summary.filesRejected = filesRejected
        summary.filesWaiting = filesWaiting
        try ledger.finishRun(id: runID, status: "finished", exitCode: summary.exitCode, reportFile: reportPath, summary: summary.line)
        mover.removeWorkFolder()
        return summary
    }

    // MARK: Categories

    private mutating func importCategories(_ file: InboxFile) throws {
        let path = mover.claimedPath(file)
        let reader = InputKind(relativePath: file.relativePath) == .categoriesXML ? stages.categoryXMLReader : stages.categoryCSVReader
        do {
            let export = try reader.read(fileAt: path)
            try ledger.storeCategories(export.categories, sourceFile: file.relativePath, runID: runID)
            CrashPoint.afterCategoryImport.reach()
            try mover.archive(file, date: today)
            let sections = Set(export.categories.map(\.classSourcedID)).count
            logger.info("categories imported", metadata: ["file": "\(file.relativePath)", "categories": "\(export.categories.count)", "sections": "\(sections)"])
        } catch let error as InputFileError {
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: file.relativePath, line: error.line)))
            let outcome = ProcessedBundle(
                stem: file.relativePath, outcome: .rejected, gradebookSHA256: nil, jsonSHA256: nil, clean: false,
                rejection: .init(file: file.relativePath, code: error.code, message: error.message, line: error.line)
            )
            try ledger.commit([], report: ReportChunk([row]), bundle: outcome, runID: runID, at: run.clock)
            try finishFiles([file], outcome)
            filesRejected += 1
            logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(error.code)"])
        }
    }

    // MARK: Bundles

    /// Per bundle stem: its requests (in queue), or the newer bundle that cancels it.
    struct BundlePlan {
        var requests: [String: [SyncRequestRecord]] = [:]
        var cancelledBy: [String: String] = [:]
    }

    /// Reads each bundle's API responses to learn its course and sections: requests are created
    /// `in queue` (or reused when a killed run created them), and a newer bundle of the same
    /// course in the same run cancels an older one.
    private mutating func planBundles(_ bundles: [InboxScanner.Bundle]) throws -> BundlePlan {
        var plan = BundlePlan()
        let existing = try ledger.requests(runID: runID)
        requestNumber = existing.values.joined().count
        var newest: [String: (stem: String, time: Date)] = [:]
        var courses: [String: CanvasBundle] = [:]
        for bundle in bundles {
            guard let canvas = try? stages.bundleReader.read(fileAt: mover.claimedPath(bundle.json)) else { continue }
            courses[bundle.stem] = canvas
            let time = max(bundle.gradebook.modified, bundle.json.modified)
            if let current = newest[canvas.course.id], (current.time, current.stem) > (time, bundle.stem) { continue }
            newest[canvas.course.id] = (bundle.stem, time)
        }
        var records: [SyncRequestRecord] = []
        for bundle in bundles {
            guard let canvas = courses[bundle.stem] else { continue }
            if let winner = newest[canvas.course.id], winner.stem != bundle.stem {
                plan.cancelledBy[bundle.stem] = winner.stem
            }
            if let reused = existing[bundle.stem] {
                plan.requests[bundle.stem] = reused
                continue
            }
            var list: [SyncRequestRecord] = []
            for section in canvas.sections {
                guard let sis = section.sisSectionID else { continue }
                requestNumber += 1
                let key = SyncRequestKey(bundleStem: bundle.stem, courseSISID: canvas.course.sisCourseID, canvasCourseID: canvas.course.id, sectionSISID: sis, canvasSectionID: section.id)
                list.append(SyncRequestRecord(id: String(format: "%@-%03d", runID, requestNumber), key: key))
            }
            plan.requests[bundle.stem] = list
            records += list
        }
        try ledger.enqueue(records, runID: runID, at: run.clock)
        return plan
    }

    /// Moves the files of a committed outcome (a bundle's two, or one category export) where it
    /// says: right after the commit, or after a crash between the commit and the move.
    private func finishFiles(_ files: [InboxFile], _ outcome: ProcessedBundle) throws {
        try clock.measure(.archive) { try moveFiles(files, outcome) }
        CrashPoint.afterArchive.reach()
    }

    private func moveFiles(_ files: [InboxFile], _ outcome: ProcessedBundle) throws {
        if outcome.outcome == .rejected, let rejection = outcome.rejection {
            for file in files {
                let isBad = file.relativePath == rejection.file
                let message = isBad ? rejection.message : "Held with its partner \((rejection.file as NSString).lastPathComponent), which was rejected: \(rejection.message)"
                try mover.quarantine(file, code: rejection.code, message: message, line: isBad ? rejection.line : nil, claimed: true)
            }
        } else {
            for file in files { try mover.archive(file, date: today) }
        }
    }

    private mutating func process(_ bundle: InboxScanner.Bundle, digest: (gradebook: String, json: String), plan: BundlePlan, checker: CourseChecker) throws {
        let requests = plan.requests[bundle.stem] ?? []
        let gradebookSHA = digest.gradebook
        let jsonSHA = digest.json

        if let winner = plan.cancelledBy[bundle.stem] {
            try ledger.setStatus(.cancelled, requestIDs: requests.map(\.id), at: run.clock)
            let row = ReportRow(
                runID: runID, requestID: nil, status: .skipped, rule: .superseded,
                subject: ReportSubject(courseSISID: requests.first?.key.courseSISID, canvasCourseID: requests.first?.key.canvasCourseID),
                location: SourceLocation(file: bundle.json.relativePath),
                message: "Cancelled: a newer bundle of the same course (\(winner)) came in the same run; nothing of this one was sent."
            )
            let outcome = ProcessedBundle(stem: bundle.stem, outcome: .cancelled, gradebookSHA256: gradebookSHA, jsonSHA256: jsonSHA, clean: false)
            try ledger.commit([], report: ReportChunk([row]), bundle: outcome, runID: runID, at: run.clock)
            try finishFiles([bundle.gradebook, bundle.json], outcome)
            return
        }
        try clock.measure(.ledger) { try ledger.setStatus(.inProgress, requestIDs: requests.map(\.id), at: run.clock) }
        clock.count("bundles", 1)

        // Read both files; a bad one sends the whole bundle to quarantine.
        var canvas: CanvasBundle?
        var gradebook: Gradebook?
        var failure: (file: InboxFile, error: InputFileError)?
        do {
            try clock.measure(.read) {
                canvas = try stages.bundleReader.read(fileAt: mover.claimedPath(bundle.json))
                gradebook = try stages.gradebookReader.read(fileAt: mover.claimedPath(bundle.gradebook))
            }
        } catch let error as InputFileError {
            failure = (canvas == nil ? bundle.json : bundle.gradebook, error)
        }
        guard let canvas, let gradebook else {
            guard let (bad, error) = failure else { return }
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: bad.relativePath, line: error.line)))
            let outcomes = requests.map {
                SyncRequestOutcome(requestID: $0.id, runID: runID, classSourcedID: $0.key.sectionSISID, status: .failed, lineItems: 0, resultsSent: 0, errors: 1, warnings: 0, outboxFile: nil, students: [], history: nil)
            }
            let outcome = ProcessedBundle(
                stem: bundle.stem, outcome: .rejected, gradebookSHA256: gradebookSHA, jsonSHA256: jsonSHA, clean: false,
                rejection: .init(file: bad.relativePath, code: error.code, message: error.message, line: error.line)
            )
            try ledger.commit(outcomes, report: ReportChunk([row]), bundle: outcome, runID: runID, at: run.clock)
            filesRejected += 1
            logger.warning("file rejected", metadata: ["file": "\(bad.relativePath)", "rule": "\(error.code)"])
            try finishFiles([bundle.gradebook, bundle.json], outcome)
            return
        }

        // Rules and matching, then per section the diff and the XML.
        let sources = CourseChecker.Sources(stem: bundle.stem, gradebookFile: bundle.gradebook.relativePath, bundleFile: bundle.json.relativePath)
        let grades = clock.measure(.rules) { checker.check(bundle: canvas, gradebook: gradebook, sources: sources) }
        var report = ReportChunk(grades.diagnostics.map { ReportRow(runID: runID, requestID: nil, diagnostic: $0) })
        let courseErrors = grades.diagnostics.filter { $0.severity == .error }.count
        var clean = courseErrors == 0
        let selector = ResultSelector(mode: run.mode, now: run.clock, window: TimeInterval(pipeline.settings.incrementalWindowDays) * 86_400)
        let requestIDs = Dictionary(requests.map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [SyncRequestOutcome] = []
        for section in grades.sections {
            let requestID = requestIDs[section.request]
            let selection = try clock.measure(.diff) { selector.select(section, history: try ledger.history(ofSection: section.request.sectionSISID)) }
            var published: String?
            var invalid: [String] = []
            if !selection.lineItems.isEmpty {
                (published, invalid) = try publishXML(section: section, lineItems: selection.lineItems)
            }
            let reportStart = ContinuousClock.now
            var rows: [ReportRow] = []
            var students: Set<String> = []
            for diagnostic in section.diagnostics {
                rows.append(ReportRow(runID: runID, requestID: requestID, diagnostic: diagnostic))
                if let student = diagnostic.subject.studentSISID { students.insert(student) }
                if diagnostic.severity == .error || diagnostic.code == .categoryPendingVerification { clean = false }
            }
            let sentResults = published == nil ? 0 : selection.lineItems.reduce(0) { $0 + $1.results.count }
            if published != nil {
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
            if clock.isEnabled { clock.add(.report, ContinuousClock.now - reportStart) }
            let errors = rows.filter { $0.status == .error }.count + courseErrors
            let warnings = rows.filter { $0.status == .warning }.count
            let status: SyncRequestStatus
            if !invalid.isEmpty {
                status = .failed
            } else if errors == 0 {
                status = .success
            } else {
                status = published != nil ? .errors : .failed
            }
            if let requestID {
                outcomes.append(SyncRequestOutcome(
                    requestID: requestID, runID: runID, classSourcedID: section.request.sectionSISID, status: status,
                    lineItems: published == nil ? 0 : selection.lineItems.count, resultsSent: sentResults, errors: errors, warnings: warnings,
                    outboxFile: published, students: students.sorted(), history: invalid.isEmpty ? selection.history : nil
                ))
            }
        }
        let outcome = ProcessedBundle(stem: bundle.stem, outcome: .sent, gradebookSHA256: gradebookSHA, jsonSHA256: jsonSHA, clean: clean)
        try clock.measure(.ledger) { try ledger.commit(outcomes, report: report, bundle: outcome, runID: runID, at: run.clock) }
        CrashPoint.afterLedgerCommit.reach()
        try finishFiles([bundle.gradebook, bundle.json], outcome)
    }

    /// Rows of a section in the report's order: rows about no assignment first (students), then
    /// per assignment its problems followed by its success row.
    static func ordered(_ rows: [ReportRow]) -> [ReportRow] {
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

    static func successMessage(_ item: PassbackLineItem) -> String {
        let deletions = item.results.filter { $0.status == .toBeDeleted }.count
        let grades = item.results.count - deletions
        var text = "Sent \(grades) grade\(grades == 1 ? "" : "s")"
        if deletions > 0 { text += " and \(deletions) deletion\(deletions == 1 ? "" : "s")" }
        return text + " (due \(item.dueDate), category \(item.categorySourcedID))."
    }

    // MARK: XML

    /// Writes, validates and publishes the file of one Aspire section, or adopts the file a
    /// killed run of the same id already published for it.
    /// - Returns: the published file's name, or the schema's complaints.
    private mutating func publishXML(section: SectionGrades, lineItems: [PassbackLineItem]) throws -> (String?, [String]) {
        let base = "\(runID)_\(Workspace.fileComponent(section.request.sectionSISID))"
        var name = base + ".xml"
        var suffix = 1
        // Another request of this run (another course naming the same Aspire section) has it.
        while publishedNames.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix).xml"
        }
        let target = workspace.outbox.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: target) {
            // Published by this run before it was killed, never recorded: the same inputs, clock
            // and ledger state make the same content, so the file is adopted as it is.
            logger.info("adopted a published file", metadata: ["file": "\(name)"])
            publishedNames.insert(name)
            return (name, [])
        }
        try FileManager.default.createDirectory(at: mover.outputFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = mover.outputFolder.appendingPathComponent(name).path
        let header = PassbackHeader(runID: runID, mode: run.mode, generatedAt: run.clock)
        let payload = PassbackSection(
            classSourcedID: section.request.sectionSISID, termSourcedID: section.termSourcedID, schoolID: section.schoolID ?? "unknown",
            canvasCourseID: section.request.canvasCourseID, canvasSectionID: section.request.canvasSectionID, lineItems: lineItems
        )
        try clock.measure(.writeXML) { try stages.passbackWriter.write(header: header, sections: [payload], to: temporary) }
        CrashPoint.afterXMLWritten.reach()
        let problems = clock.measure(.validate) { stages.passbackWriter.validate(fileAt: temporary) }
        guard problems.isEmpty else {
            logger.error("passback XML failed its schema", metadata: ["file": "\(name)", "problems": "\(problems.count)"])
            return (nil, problems)
        }
        try clock.measure(.publish) { try DurableFile.publishWrittenFile(at: temporary, as: target) }
        if clock.isEnabled {
            var info = stat()
            if stat(target, &info) == 0 { clock.count("xml_bytes", Int(info.st_size)) }
            clock.count("xml_files", 1)
            clock.count("results_written", lineItems.reduce(0) { $0 + $1.results.count })
        }
        CrashPoint.afterXMLPublished.reach()
        publishedNames.insert(name)
        return (name, [])
    }
}

extension ReportWriter {
    /// Appends rows already encoded as CSV records.
    func appendEncoded(_ data: Data) throws {
        try appendRaw([UInt8](data))
    }
}
