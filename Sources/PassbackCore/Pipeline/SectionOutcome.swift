import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One Aspire section of a prepared bundle: what goes out (the diff against the section's
/// history), its XML (written to the run's temporary folder and validated), its report rows in
/// the report's order, and its request's status and counts.
struct SectionOutcome {
    /// The report rows of the section.
    var rows: [ReportRow] = []
    /// False when the section has errors or held grades (a byte-identical re-drop is then
    /// processed again, not skipped as a duplicate).
    var clean = true
    /// The request's outcome; `nil` when the section has no request.
    var outcome: SyncRequestOutcome?
    /// The validated XML waiting to be published.
    var file: PreparedFile?

    /// Makes section outcomes; shared by the workers.
    struct Maker: Sendable {
        let context: RunContext
        let selector: ResultSelector
        let header: PassbackHeader

        init(context: RunContext) {
            self.context = context
            selector = ResultSelector(mode: context.mode, now: context.clock, window: TimeInterval(context.settings.incrementalWindowDays) * 86_400)
            header = PassbackHeader(runID: context.runID, mode: context.mode, generatedAt: context.clock)
        }

        private var stageClock: StageClock { .shared }

        /// - Parameters:
        ///   - courseErrors: errors about the bundle as a whole, which count against every request.
        ///   - temporaryName: the XML's name in the run's temporary folder, unique in the run.
        func make(_ section: SectionGrades, requestID: String?, courseErrors: Int, gradebookFile: String, temporaryName: String) throws -> SectionOutcome {
            var made = SectionOutcome()
            var damage: String?
            let (selection, stored) = try stageClock.measure(.diff) {
                let stored = try context.ledger.storedHistory(ofSection: section.request.sectionSISID)
                var history = SectionHistory.empty
                do {
                    history = try stored.map(SectionHistoryCoding.decode) ?? .empty
                } catch {
                    // Incremental: the course cannot be diffed, so it is set aside naming the
                    // section. Bulk sends every grade whatever was sent, so it starts the
                    // section's history anew.
                    guard context.mode == .bulk else { throw DamagedHistory(section: section.request.sectionSISID, problem: "\(error)") }
                    damage = "\(error)"
                }
                return (selector.select(section, history: history), stored)
            }
            if let damage {
                made.rows.append(ReportRow(
                    runID: context.runID, requestID: requestID, status: .warning, rule: .damagedHistory,
                    subject: ReportSubject(courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID, canvasCourseID: section.request.canvasCourseID),
                    message: "The ledger's record of what Aspire section \(section.request.sectionSISID) holds was damaged (\(damage)); this bulk run sent every current grade and recorded the section anew. Deletions of grades sent before the damage could not be known."
                ))
            }
            var file: PreparedFile?
            var invalid: [String] = []
            if !selection.lineItems.isEmpty {
                (file, invalid) = try writeXML(section: section, lineItems: selection.lineItems, name: temporaryName)
            }
            let written = file != nil
            let reportStart = ContinuousClock.now
            var rows: [ReportRow] = []
            var students: Set<String> = []
            for diagnostic in section.diagnostics + selection.diagnostics {
                rows.append(ReportRow(runID: context.runID, requestID: requestID, diagnostic: diagnostic))
                if let student = diagnostic.subject.studentSISID { students.insert(student) }
                if diagnostic.severity == .error || diagnostic.code == .categoryPendingVerification || diagnostic.code == .gradeNotPosted { made.clean = false }
            }
            if written {
                rows += successRows(section, selection.lineItems, requestID: requestID, gradebookFile: gradebookFile, students: &students)
            } else if !invalid.isEmpty {
                made.clean = false
                rows.append(ReportRow(
                    runID: context.runID, requestID: requestID, status: .error, rule: .invalidOutput,
                    subject: ReportSubject(courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID, canvasCourseID: section.request.canvasCourseID),
                    message: "Nothing was sent for this section: the passback XML broke the schema (\(invalid.first ?? "")). This is a bug in passback; report it with the run id."
                ))
            }
            made.rows += Self.ordered(rows)
            if stageClock.isEnabled { stageClock.add(.report, ContinuousClock.now - reportStart) }

            guard let requestID else {
                // No request for this section (cannot happen with requests made from the same
                // bundle): nothing is published.
                if let file { unlink(file.temporaryPath) }
                return made
            }
            let errors = rows.filter { $0.status == .error }.count + courseErrors
            let warnings = rows.filter { $0.status == .warning }.count
            let status: SyncRequestStatus = !invalid.isEmpty ? .failed : errors == 0 ? .success : written ? .errors : .failed
            let sentResults = written ? selection.lineItems.reduce(0) { $0 + $1.results.count } : 0
            var outcome = SyncRequestOutcome(
                requestID: requestID, runID: context.runID, classSourcedID: section.request.sectionSISID, status: status,
                lineItems: written ? selection.lineItems.count : 0, resultsSent: sentResults, errors: errors, warnings: warnings,
                outboxFile: nil, students: students.sorted(), history: nil
            )
            outcome.held = selection.held
            if invalid.isEmpty, selection.historyChanged {
                // Unchanged (same bytes as stored): nothing to write.
                let encoded = stageClock.measure(.diff) { SectionHistoryCoding.encode(selection.history) }
                if encoded != stored { outcome.encodedHistory = encoded }
            }
            made.outcome = outcome
            made.file = file
            return made
        }

        /// One `success` row per line item sent (spec section 5.2).
        private func successRows(_ section: SectionGrades, _ lineItems: [PassbackLineItem], requestID: String?, gradebookFile: String, students: inout Set<String>) -> [ReportRow] {
            let candidates = Dictionary(section.lineItems.map { ($0.lineItem.sourcedID, $0) }, uniquingKeysWith: { a, _ in a })
            return lineItems.map { item in
                let candidate = candidates[item.sourcedID]
                for result in item.results { students.insert(result.studentSourcedID) }
                return ReportRow(
                    runID: context.runID, requestID: requestID, status: .success, rule: nil,
                    subject: ReportSubject(
                        courseSISID: section.request.courseSISID, sectionSISID: section.request.sectionSISID,
                        canvasCourseID: section.request.canvasCourseID, canvasAssignmentID: candidate?.canvasAssignmentID,
                        assignmentName: candidate?.assignmentName, categorySourcedID: item.categorySourcedID
                    ),
                    count: item.results.count, location: SourceLocation(file: gradebookFile),
                    message: Self.successMessage(item)
                )
            }
        }

        /// Writes one section's XML to the run's temporary folder and validates it.
        /// - Returns: the file, or the schema's complaints (the file is then left unpublished).
        private func writeXML(section: SectionGrades, lineItems: [PassbackLineItem], name: String) throws -> (PreparedFile?, [String]) {
            let folder = context.mover.outputFolder.path
            var info = stat()
            if stat(folder, &info) != 0 {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let temporary = folder + "/" + name
            let payload = PassbackSection(
                classSourcedID: section.request.sectionSISID, termSourcedID: section.termSourcedID, schoolID: section.schoolID ?? "unknown",
                canvasCourseID: section.request.canvasCourseID, canvasSectionID: section.request.canvasSectionID, lineItems: lineItems
            )
            let writer = context.stages.passbackWriter
            try stageClock.measure(.writeXML) { try writer.write(header: header, sections: [payload], to: temporary) }
            CrashPoint.afterXMLWritten.reach()
            let problems = stageClock.measure(.validate) { writer.validate(fileAt: temporary) }
            guard problems.isEmpty else {
                context.logger.error("passback XML failed its schema", metadata: ["section_file": "\(name)", "problems": "\(problems.count)"])
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
    }
}

/// A section's stored history does not decode: the ledger row is damaged.
struct DamagedHistory: Error {
    var section: String
    var problem: String
}

extension RuleCode {
    /// The ledger's record of an Aspire section is damaged: the bundles sending to it are
    /// quarantined (incremental) or the section is recorded anew (bulk), never the run stopped.
    static let damagedHistory = RuleCode("damaged-history")
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
