import Foundation
import Logging

/// The work of one run, once its id exists: claims, reads, checks, writes, reports and records.
/// Kept apart from ``RunPipeline`` so the run's state (report, counters, request numbers) lives
/// in one value for the run's length.
struct Batch {
    let pipeline: RunPipeline
    let ledger: Ledger
    let runID: String
    let options: RunOptions
    let calendar: SchoolCalendar
    let mover: InputMover
    var summary: RunSummary
    private var report: ReportWriter?
    private var requestNumber = 0

    init(pipeline: RunPipeline, ledger: Ledger, runID: String, options: RunOptions, calendar: SchoolCalendar, mover: InputMover, summary: RunSummary) {
        self.pipeline = pipeline
        self.ledger = ledger
        self.runID = runID
        self.options = options
        self.calendar = calendar
        self.mover = mover
        self.summary = summary
    }

    private var workspace: Workspace { pipeline.workspace }
    private var stages: PipelineStages { pipeline.stages }
    private var logger: Logger { pipeline.logger }
    private var today: LocalDate { calendar.localDate(of: options.clock) }

    mutating func execute(_ scan: InboxScanner.Scan) throws {
        let reportPath = workspace.reports.appendingPathComponent("\(runID).csv").path
        report = try ReportWriter(path: reportPath)

        // Intake: refuse what must not be read, claim the rest.
        for rejection in scan.rejected {
            try mover.quarantine(rejection.file, code: rejection.code, message: rejection.message, line: nil, claimed: false)
            try emit(ReportRow(runID: runID, requestID: nil, diagnostic: .error(rejection.code, rejection.message, location: SourceLocation(file: rejection.file.relativePath))))
            summary.filesRejected += 1
        }
        let claimed = scan.categoryExports + scan.bundles.flatMap { [$0.gradebook, $0.json] }
        for file in claimed {
            try mover.claim(file)
        }
        summary.filesClaimed = claimed.count

        // Categories first: bundles of this run are matched against them.
        for file in scan.categoryExports {
            try importCategories(file)
        }
        let matcher = CategoryMatcher(catalog: try ledger.categoryCatalog())
        let settings = RuleSettings(nameLengthLimit: pipeline.settings.nameLengthLimit, calendar: calendar, now: options.clock)
        let checker = CourseChecker(rules: stages.rules, matcher: matcher, settings: settings)

        // Requests are known once the bundles' API responses are read; a newer bundle of the
        // same course cancels an older one.
        let plan = try planBundles(scan.bundles)
        for bundle in scan.bundles {
            try process(bundle, plan: plan, checker: checker)
        }

        try report?.finish()
        summary.reportPath = reportPath
        report = nil
        mover.removeWorkFolder()
    }

    // MARK: Report

    private mutating func emit(_ row: ReportRow) throws {
        try report?.append(row)
        summary.rows[row.status, default: 0] += 1
    }

    // MARK: Categories

    private mutating func importCategories(_ file: InboxFile) throws {
        let path = mover.claimedPath(file)
        let reader = InputKind(relativePath: file.relativePath) == .categoriesXML ? stages.categoryXMLReader : stages.categoryCSVReader
        do {
            let export = try reader.read(fileAt: path)
            try ledger.storeCategories(export.categories, sourceFile: file.relativePath, runID: runID)
            try mover.archive(file, date: today)
            let sections = Set(export.categories.map(\.classSourcedID)).count
            logger.info("categories imported", metadata: ["file": "\(file.relativePath)", "categories": "\(export.categories.count)", "sections": "\(sections)"])
        } catch let error as InputFileError {
            try reject(file, error, claimed: true)
        }
    }

    private mutating func reject(_ file: InboxFile, _ error: InputFileError, claimed: Bool) throws {
        try mover.quarantine(file, code: error.code, message: error.message, line: error.line, claimed: claimed)
        try emit(ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: file.relativePath, line: error.line))))
        summary.filesRejected += 1
        logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(error.code)"])
    }

    // MARK: Bundles

    /// Per bundle stem: its requests (in queue) or why it is not processed.
    struct BundlePlan {
        var requests: [String: [SyncRequestRecord]] = [:]
        var cancelledBy: [String: String] = [:]
    }

    private mutating func planBundles(_ bundles: [InboxScanner.Bundle]) throws -> BundlePlan {
        var plan = BundlePlan()
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
        try ledger.enqueue(records, runID: runID, at: options.clock)
        return plan
    }

    private mutating func process(_ bundle: InboxScanner.Bundle, plan: BundlePlan, checker: CourseChecker) throws {
        let requests = plan.requests[bundle.stem] ?? []
        if let winner = plan.cancelledBy[bundle.stem] {
            try ledger.setStatus(.cancelled, requestIDs: requests.map(\.id), at: options.clock)
            summary.requests[.cancelled, default: 0] += requests.count
            for file in [bundle.gradebook, bundle.json] { try mover.archive(file, date: today) }
            try emit(ReportRow(
                runID: runID, requestID: nil, status: .skipped, rule: .superseded, subject: ReportSubject(),
                location: SourceLocation(file: bundle.json.relativePath),
                message: "Cancelled: a newer bundle of the same course (\(winner)) came in the same run; nothing of this one was sent."
            ))
            return
        }
        try ledger.setStatus(.inProgress, requestIDs: requests.map(\.id), at: options.clock)

        // Read both files; a bad one sends the whole bundle to quarantine.
        let canvas: CanvasBundle
        let gradebook: Gradebook
        do {
            canvas = try stages.bundleReader.read(fileAt: mover.claimedPath(bundle.json))
        } catch let error as InputFileError {
            try rejectBundle(bundle, bad: bundle.json, error, requests: requests)
            return
        }
        do {
            gradebook = try stages.gradebookReader.read(fileAt: mover.claimedPath(bundle.gradebook))
        } catch let error as InputFileError {
            try rejectBundle(bundle, bad: bundle.gradebook, error, requests: requests)
            return
        }

        // Rules and matching, then per section the diff and the XML.
        let sources = CourseChecker.Sources(stem: bundle.stem, gradebookFile: bundle.gradebook.relativePath, bundleFile: bundle.json.relativePath)
        let grades = checker.check(bundle: canvas, gradebook: gradebook, sources: sources)
        let courseErrors = grades.diagnostics.filter { $0.severity == .error }.count
        for diagnostic in grades.diagnostics {
            try emit(ReportRow(runID: runID, requestID: nil, diagnostic: diagnostic))
        }
        let selector = ResultSelector(mode: options.mode, now: options.clock, window: TimeInterval(pipeline.settings.incrementalWindowDays) * 86_400)
        let requestIDs = Dictionary(requests.map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [SyncRequestOutcome] = []
        for section in grades.sections {
            let requestID = requestIDs[section.request]
            let history = try ledger.history(ofSection: section.request.sectionSISID)
            let selection = selector.select(section, history: history)
            var published: String?
            var invalid: [String] = []
            if !selection.lineItems.isEmpty {
                (published, invalid) = try writeXML(section: section, lineItems: selection.lineItems)
            }
            var rows: [ReportRow] = []
            var students: Set<String> = []
            for diagnostic in section.diagnostics {
                rows.append(ReportRow(runID: runID, requestID: requestID, diagnostic: diagnostic))
                if let student = diagnostic.subject.studentSISID { students.insert(student) }
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
                rows.append(ReportRow(
                    runID: runID, requestID: requestID, status: .error, rule: .invalidOutput,
                    subject: ReportSubject(courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID, canvasCourseID: section.request.canvasCourseID),
                    message: "Nothing was sent for this section: the passback XML broke the schema (\(invalid.first ?? "")). This is a bug in passback; report it with the run id."
                ))
            }
            for row in Self.ordered(rows) { try emit(row) }
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
            summary.requests[status, default: 0] += 1
            summary.resultsSent += sentResults
            if let requestID {
                outcomes.append(SyncRequestOutcome(
                    requestID: requestID, runID: runID, classSourcedID: section.request.sectionSISID, status: status,
                    lineItems: published == nil ? 0 : selection.lineItems.count, resultsSent: sentResults, errors: errors, warnings: warnings,
                    outboxFile: published, students: students.sorted(), history: invalid.isEmpty ? selection.history : nil
                ))
            }
        }
        try ledger.commit(outcomes, at: options.clock)
        for file in [bundle.gradebook, bundle.json] { try mover.archive(file, date: today) }
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

    private mutating func rejectBundle(_ bundle: InboxScanner.Bundle, bad: InboxFile, _ error: InputFileError, requests: [SyncRequestRecord]) throws {
        try reject(bad, error, claimed: true)
        let partner = bad == bundle.gradebook ? bundle.json : bundle.gradebook
        try mover.quarantine(partner, code: error.code, message: "Held with its partner \(bad.name), which was rejected: \(error.message)", line: nil, claimed: true)
        try ledger.setStatus(.failed, requestIDs: requests.map(\.id), at: options.clock)
        summary.requests[.failed, default: 0] += requests.count
    }

    // MARK: XML

    /// Writes, validates and publishes the file of one Aspire section.
    /// - Returns: the published file's name, or the schema's complaints.
    private mutating func writeXML(section: SectionGrades, lineItems: [PassbackLineItem]) throws -> (String?, [String]) {
        var name = "\(runID)_\(Workspace.fileComponent(section.request.sectionSISID)).xml"
        var suffix = 1
        while FileManager.default.fileExists(atPath: workspace.outbox.appendingPathComponent(name).path) {
            suffix += 1
            name = "\(runID)_\(Workspace.fileComponent(section.request.sectionSISID))_\(suffix).xml"
        }
        let temporaryFolder = mover.workFolder.appendingPathComponent(".out", isDirectory: true)
        try FileManager.default.createDirectory(at: temporaryFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = temporaryFolder.appendingPathComponent(name).path
        let header = PassbackHeader(runID: runID, mode: options.mode, generatedAt: options.clock)
        let payload = PassbackSection(
            classSourcedID: section.request.sectionSISID, termSourcedID: section.termSourcedID, schoolID: section.schoolID ?? "unknown",
            canvasCourseID: section.request.canvasCourseID, canvasSectionID: section.request.canvasSectionID, lineItems: lineItems
        )
        try stages.passbackWriter.write(header: header, sections: [payload], to: temporary)
        let problems = stages.passbackWriter.validate(fileAt: temporary)
        guard problems.isEmpty else {
            logger.error("passback XML failed its schema", metadata: ["file": "\(name)", "problems": "\(problems.count)"])
            return (nil, problems)
        }
        try DurableFile.publishWrittenFile(at: temporary, as: workspace.outbox.appendingPathComponent(name).path)
        summary.xmlFiles += 1
        return (name, [])
    }
}
