import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One Aspire section of a prepared bundle: what goes out (the diff against the section's
/// history), its XML (written to the run's temporary folder and validated), its report rows in
/// the report's order, and its request's status and counts.
///
/// A section is worked through line item by line item (issue 12): the next candidate line item
/// is made (``SectionCandidates``), diffed against its stored results (``SectionDiff`` over a
/// ``StreamedSectionHistory``), written to the XML file if it goes out, and dropped; what is left
/// of it is its report row and its encoded results. So a section's memory is one line item's
/// candidates and results plus the encoded histories, whatever the number of students and
/// assignments.
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
        func make(_ section: inout SectionCandidates, requestID: String?, courseErrors: Int, gradebookFile: String, temporaryName: String) throws -> SectionOutcome {
            var made = SectionOutcome()
            let request = section.request
            let subject = ReportSubject(courseSISID: request.courseSISID, sectionSISID: request.sectionSISID, canvasCourseID: request.canvasCourseID)
            var damage: String?
            let (stored, storedBytes) = try stageClock.measure(.diff) {
                let bytes = try context.ledger.storedHistory(ofSection: request.sectionSISID)
                do {
                    return (try StoredSectionHistory(bytes), bytes)
                } catch {
                    // Incremental: the course cannot be diffed, so it is set aside naming the
                    // section. Bulk sends every grade whatever was sent, so it starts the
                    // section's history anew.
                    guard context.mode == .bulk else { throw DamagedHistory(section: request.sectionSISID, problem: "\(error)") }
                    damage = "\(error)"
                    return (StoredSectionHistory.empty, nil)
                }
            }
            if let damage {
                made.rows.append(
                    ReportRow(
                        runID: context.runID, requestID: requestID, status: .warning, rule: .damagedHistory, subject: subject,
                        message:
                            "The ledger's record of what Aspire section \(request.sectionSISID) holds was damaged (\(damage)); this bulk run sent every current grade and recorded the section anew. Deletions of grades sent before the damage could not be known."
                    ))
            }

            // Line item by line item: made, diffed, written, dropped.
            var diff = SectionDiff(
                selector: selector, request: request, lineItems: stored.lineItems, heldLineItems: stored.heldLineItems,
                results: StreamedSectionHistory(stored: stored, now: context.clock)
            )
            var xml: (any PassbackSectionFile)?
            let temporary = context.mover.outputFolder.path + "/" + temporaryName
            var successRows: [ReportRow] = []
            var students: Set<String> = []
            var lineItemsSent = 0
            var resultsSent = 0
            do {
                while let candidate = stageClock.measure(.rules, { section.next() }) {
                    guard let item = stageClock.measure(.diff, { diff.select(candidate) }) else { continue }
                    if xml == nil { xml = try openXML(section: section, at: temporary) }
                    try stageClock.measure(.writeXML) { try xml!.write(item) }
                    lineItemsSent += 1
                    resultsSent += item.results.count
                    successRows.append(successRow(item, candidate, request: request, requestID: requestID, gradebookFile: gradebookFile, students: &students))
                }
            } catch {
                xml?.abandon()
                unlink(temporary)
                throw error
            }
            diff.finish(heldLineItems: section.heldLineItems)

            var file: PreparedFile?
            var invalid: [String] = []
            if let xml {
                (file, invalid) = try finishXML(xml, section: request.sectionSISID, path: temporary, name: temporaryName, results: resultsSent)
            }
            let written = file != nil
            let reportStart = ContinuousClock.now
            var rows: [ReportRow] = []
            if !written { students = [] }
            for diagnostic in section.diagnostics + diff.diagnostics {
                rows.append(ReportRow(runID: context.runID, requestID: requestID, diagnostic: diagnostic))
                if let student = diagnostic.subject.studentSISID { students.insert(student) }
                if diagnostic.severity == .error || diagnostic.code == .categoryPendingVerification || diagnostic.code == .gradeNotPosted { made.clean = false }
            }
            if written {
                rows += successRows
            } else if !invalid.isEmpty {
                made.clean = false
                rows.append(
                    ReportRow(
                        runID: context.runID, requestID: requestID, status: .error, rule: .invalidOutput, subject: subject,
                        message:
                            "Nothing was sent for this section: the passback XML broke the schema (\(invalid.first ?? "")). This is a bug in passback; report it with the run id."
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
            var outcome = SyncRequestOutcome(
                requestID: requestID, runID: context.runID, classSourcedID: request.sectionSISID, status: status,
                lineItems: written ? lineItemsSent : 0, resultsSent: written ? resultsSent : 0, errors: errors, warnings: warnings,
                outboxFile: nil, students: students.sorted(), history: nil
            )
            outcome.held = diff.held
            if invalid.isEmpty, diff.changed {
                // Unchanged (same bytes as stored): nothing to write.
                let encoded = stageClock.measure(.diff) { diff.takeNextRecord() }
                if encoded != storedBytes { outcome.encodedHistory = encoded }
            }
            made.outcome = outcome
            made.file = file
            return made
        }

        /// The `success` row of a line item sent (spec section 5.2).
        private func successRow(
            _ item: PassbackLineItem, _ candidate: CandidateLineItem, request: SyncRequestKey, requestID: String?, gradebookFile: String, students: inout Set<String>
        ) -> ReportRow {
            for result in item.results { students.insert(result.studentSourcedID) }
            return ReportRow(
                runID: context.runID, requestID: requestID, status: .success, rule: nil,
                subject: ReportSubject(
                    courseSISID: request.courseSISID, sectionSISID: request.sectionSISID,
                    canvasCourseID: request.canvasCourseID, canvasAssignmentID: candidate.canvasAssignmentID,
                    assignmentName: candidate.assignmentName, categorySourcedID: item.categorySourcedID
                ),
                count: item.results.count, location: SourceLocation(file: gradebookFile),
                message: Self.successMessage(item)
            )
        }

        /// Starts the section's XML in the run's temporary folder (at its first line item).
        private func openXML(section: SectionCandidates, at temporary: String) throws -> any PassbackSectionFile {
            let folder = context.mover.outputFolder.path
            var info = stat()
            if stat(folder, &info) != 0 {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let payload = PassbackSection(
                classSourcedID: section.request.sectionSISID, termSourcedID: section.termSourcedID, schoolID: section.schoolID ?? "unknown",
                canvasCourseID: section.request.canvasCourseID, canvasSectionID: section.request.canvasSectionID, lineItems: []
            )
            return try stageClock.measure(.writeXML) { try context.stages.passbackWriter.begin(header: header, section: payload, at: temporary) }
        }

        /// Ends the section's XML and takes the validator's verdict.
        /// - Returns: the file, or the schema's complaints (the file is then left unpublished).
        private func finishXML(_ xml: any PassbackSectionFile, section: String, path temporary: String, name: String, results: Int) throws -> (PreparedFile?, [String]) {
            let problems: [String]
            do {
                problems = try xml.finish()
            } catch {
                unlink(temporary)
                throw error
            }
            CrashPoint.afterXMLWritten.reach()
            guard problems.isEmpty else {
                context.logger.error("passback XML failed its schema", metadata: ["section_file": "\(name)", "problems": "\(problems.count)"])
                return (nil, problems)
            }
            // Start writing the valid file to disk now (POSIX_FADV_DONTNEED starts writeback of dirty
            // pages on Linux): the recording thread's fsync then mostly finds it written.
            let fd = open(temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            var size = 0
            if fd >= 0 {
                _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
                var info = stat()
                if stageClock.isEnabled, fstat(fd, &info) == 0 { size = Int(info.st_size) }
                close(fd)
            }
            return (PreparedFile(outcome: 0, sectionSISID: section, temporaryPath: temporary, bytes: size, results: results), [])
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
