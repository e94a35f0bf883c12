import Foundation
import Testing

@testable import PassbackCore

/// Issue 12: a section is worked through line item by line item. A run never holds a section's
/// candidates all at once; the history made line item by line item is, byte for byte, the one the
/// whole-section diff makes; the XML validated while it is written is judged as after.
@Suite struct StreamedSectionTests {
    /// A course of `assignments` assignments (ids 101...) in one verified category, `students`
    /// students in two sections: every cell a grade, changed by `offset`.
    struct WideCourse {
        var stem: String
        var assignments: Int
        var students: Int
        var offset = 0

        var gradebook: String {
            let columns = (0..<assignments).map { "A\($0) (\(101 + $0))" }.joined(separator: ",")
            var lines = [
                "Student,ID,SIS User ID,SIS Login ID,Section,\(columns)", "    Points Possible,,,,," + Array(repeating: "10.00", count: assignments).joined(separator: ","),
            ]
            for s in 0..<students {
                let cells = (0..<assignments).map { "\((s + $0 + offset) % 11).00" }.joined(separator: ",")
                lines.append("\"Student, \(s)\",\(s + 1),\(5000 + s),s\(s),Period \(s % 2 + 1),\(cells)")
            }
            return lines.joined(separator: "\n") + "\n"
        }

        var json: String {
            let items = (0..<assignments).map {
                "{\"id\":\(101 + $0),\"name\":\"A\($0)\",\"published\":true,\"post_to_sis\":true,\"due_at\":\"2025-09-12T05:59:59Z\",\"points_possible\":10}"
            }.joined(separator: ",")
            return """
                {"course":{"id":77,"sis_course_id":"CRS-77","workflow_state":"available","term":{"sis_term_id":"T1"}},
                 "sections":[{"id":1,"name":"Period 1","sis_section_id":"S1-77"},{"id":2,"name":"Period 2","sis_section_id":"S2-77"}],
                 "assignment_groups":[{"id":1,"name":"Homework","sis_source_id":"HW1","assignments":[\(items)]}]}
                """
        }

        static let categories = """
            categorySourcedId,title,classSourcedId,termSourcedId,termCode,termStartDate,termEndDate,schoolId,verifiedAt
            HW1,Homework,S1-77,T1,Q1,2025-08-20,2025-12-31,702,2025-08-25T00:00:00Z
            HW2,Homework,S2-77,T1,Q1,2025-08-20,2025-12-31,702,2025-08-25T00:00:00Z

            """

        func drop(into workspace: ScenarioWorkspace) throws {
            try workspace.drop("\(stem).gradebook.csv", gradebook)
            try workspace.drop("\(stem).canvas.json", json)
        }
    }

    /// Fails before issue 12: the rules stage made every section's candidates before the first
    /// line item was diffed or written, so all 24 were alive at once (the control below shows the
    /// hook counting them so).
    @Test func aRunHoldsOneCandidateLineItemAtATime() throws {
        let workspace = try ScenarioWorkspace()
        try workspace.drop("aspire.categories.csv", WideCourse.categories)
        let course = WideCourse(stem: "wide-\(UUID().uuidString)", assignments: 12, students: 30)
        try course.drop(into: workspace)
        let first = try workspace.run(at: "2025-10-01T09:00:00Z")
        #expect(first.exitCode == 0)
        #expect(try workspace.sentResults(first).count == 12 * 30)
        #expect(try workspace.sentResults(first, section: "S1-77").count == 12 * 15)
        #expect(LiveLineItems.most(of: course.stem) >= 1, "the hook counts the run's line items")
        #expect(LiveLineItems.most(of: course.stem) <= 2, "one line item made while the previous is let go")

        // The next night: the cells 10 and 0 of every third student changed, the rest diffed
        // against the stored results and not sent.
        let next = WideCourse(stem: "wide-\(UUID().uuidString)", assignments: 12, students: 30)
        let text = next.gradebook.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            index >= 2 && index % 3 == 0 ? line.replacingOccurrences(of: ",10.00", with: ",9.50").replacingOccurrences(of: ",0.00", with: ",0.50") : String(line)
        }.joined(separator: "\n")
        try workspace.drop("\(next.stem).gradebook.csv", text)
        try workspace.drop("\(next.stem).canvas.json", next.json)
        let second = try workspace.run(at: "2025-10-02T09:00:00Z")
        #expect(second.exitCode == 0)
        let sent = try workspace.sentResults(second)
        // Students 1, 4, ... 28 (ten): 12 cells cycling through 0...10 hold one 10 and one 0,
        // and student 10 a second 10, student 22 a second 0.
        #expect(sent.count == 22)
        #expect(sent.allSatisfy { $0.hasSuffix(" 9.5") || $0.hasSuffix(" 0.5") }, "only the changed cells go out")
        #expect(LiveLineItems.most(of: next.stem) <= 2)
    }

    @Test func theWholeCourseCheckedAtOnceHoldsEveryLineItem() {
        let stem = "control-\(UUID().uuidString)"
        let assignments = (0..<6).map { Make.assignment(id: "\(1001 + $0)", name: "A\($0)") }
        let checker = CourseChecker(matcher: CategoryMatcher(catalog: CategoryCatalog([Make.category()])), settings: Make.settings())
        let gradebook = Gradebook(
            separator: 44, hasByteOrderMark: false,
            assignmentColumns: assignments.map { GradebookAssignmentColumn(name: $0.name, assignmentID: $0.id) },
            students: [Make.student("13", sis: "604863", line: 3, Array(repeating: "9.00", count: 6))]
        )
        let grades = checker.check(
            bundle: CanvasBundle(course: Make.course(), sections: [Make.period1], assignmentGroups: [Make.group(assignments)]), gradebook: gradebook,
            sources: CourseChecker.Sources(stem: stem, gradebookFile: "g.csv", bundleFile: "b.json")
        )
        #expect(grades.sections[0].lineItems.count == 6)
        #expect(LiveLineItems.most(of: stem) == 6, "held all at once, as every section's were before issue 12")
    }

    // MARK: The history, line item by line item

    static let now = Make.date("2025-10-01T09:00:00Z")

    func candidate(_ id: Int, _ students: [(String, GradeValue?)], title: String = "T") -> CandidateLineItem {
        let item = PassbackLineItem(
            sourcedID: "canvas-\(id)", title: title, categorySourcedID: "C", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"), resultValueMax: ExactDecimal(10),
            results: [])
        return CandidateLineItem(
            lineItem: item, assignmentName: title, canvasAssignmentID: "\(id)",
            results: students.map {
                CandidateResult(studentSISID: $0.0, current: $0.1, gradedAt: nil, scoreDate: Make.day("2025-09-30"))
            })
    }

    func section(_ lineItems: [CandidateLineItem], held: [String] = []) -> SectionGrades {
        SectionGrades(
            request: SyncRequestKey(bundleStem: "c", courseSISID: "C", canvasCourseID: "1", sectionSISID: "S", canvasSectionID: "2"),
            termSourcedID: "T", schoolID: "702", lineItems: lineItems, heldLineItems: held
        )
    }

    /// The streamed diff of `section` against the stored `history`: what goes out, and the record
    /// it writes (`nil` when nothing changed).
    func streamed(_ section: SectionGrades, history: SectionHistory, mode: PassbackHeader.Mode = .incremental, now: Date) throws -> ([PassbackLineItem], Data?) {
        let selector = ResultSelector(mode: mode, now: now)
        let stored = try StoredSectionHistory(history.lineItems.isEmpty && history.resultsByLineItem.isEmpty ? nil : SectionHistoryCoding.encode(history))
        var diff = SectionDiff(
            selector: selector, request: section.request, lineItems: stored.lineItems, heldLineItems: stored.heldLineItems,
            results: StreamedSectionHistory(stored: stored, now: now))
        var sent: [PassbackLineItem] = []
        for item in section.lineItems {
            if let out = diff.select(item) { sent.append(out) }
        }
        diff.finish(heldLineItems: section.heldLineItems)
        return (sent, diff.changed ? diff.takeNextRecord() : nil)
    }

    /// Night after night, the streamed diff sends what the whole-section diff sends and writes the
    /// record it would write, byte for byte: new and departed students, a roster in another order,
    /// a new line item sorting first, a grade held, a line item held by a rule, another base time.
    @Test func theStreamedDiffMatchesTheWholeSectionDiffByteForByte() throws {
        let nights: [(SectionGrades, PassbackHeader.Mode)] = [
            (section([candidate(5, [("a", .score(ExactDecimal(9))), ("b", .exempt), ("c", nil)]), candidate(7, [("a", .score(ExactDecimal(4))), ("b", nil)])]), .incremental),
            (section([candidate(5, [("a", .score(ExactDecimal(9))), ("b", .exempt), ("c", nil)]), candidate(7, [("a", .score(ExactDecimal(4))), ("b", nil)])]), .incremental),
            (
                section([candidate(5, [("b", .exempt), ("a", .score(ExactDecimal(8))), ("d", .score(ExactDecimal(1)))]), candidate(7, [("a", .score(ExactDecimal(4)))])]),
                .incremental
            ),
            (
                section(
                    [candidate(3, [("z", .score(ExactDecimal(2))), ("a", nil)]), candidate(5, [("b", .exempt), ("a", .score(ExactDecimal(8))), ("d", .score(ExactDecimal(1)))])],
                    held: ["canvas-7"]), .incremental
            ),
            (section([candidate(3, [("z", .score(ExactDecimal(2))), ("a", nil)], title: "Renamed"), candidate(7, [("a", .score(ExactDecimal(5))), ("b", .exempt)])]), .bulk),
        ]
        var history = SectionHistory.empty
        var now = Self.now
        for (night, (grades, mode)) in nights.enumerated() {
            let whole = ResultSelector(mode: mode, now: now).select(grades, history: history)
            let (sent, record) = try streamed(grades, history: history, mode: mode, now: now)
            #expect(sent == whole.lineItems, "night \(night)")
            #expect(record == (whole.historyChanged ? SectionHistoryCoding.encode(whole.history) : nil), "night \(night)")
            if let record { #expect(try SectionHistoryCoding.decode(record) == whole.history, "night \(night)") }
            history = whole.history
            now = now.addingTimeInterval(86_400 + 3_600 * Double(night))
        }
    }

    @Test func aDamagedRecordIsRefusedWhenOpenedAsWhenDecoded() throws {
        var history = SectionHistory()
        history.results["canvas-1:a"] = ResultState(sent: .score(ExactDecimal(9)), sentAt: Self.now)
        let encoded = SectionHistoryCoding.encode(history)
        #expect(throws: LedgerError.self) { try StoredSectionHistory(encoded.dropLast()) }
        #expect(throws: LedgerError.self) { try StoredSectionHistory(encoded + [0]) }
        #expect(try StoredSectionHistory(encoded).decoded == history)
    }

    // MARK: XML validated while it is written

    func largeSection(results: Int, duplicateLast: Bool = false) -> PassbackSection {
        var items: [PassbackLineItem] = []
        for i in 0..<20 {
            var results = (0..<(results / 20)).map {
                PassbackResult(
                    sourcedID: "canvas-\(i):\($0)", studentSourcedID: "\($0)", scoreStatus: .fullyGraded, score: ExactDecimal(Int64($0 % 10)), scoreDate: Make.day("2025-09-30"))
            }
            if duplicateLast, i == 19 { results.append(results[0]) }
            items.append(
                PassbackLineItem(
                    sourcedID: "canvas-\(i)", title: "A\(i)", categorySourcedID: "C", assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"),
                    resultValueMax: ExactDecimal(10), results: results))
        }
        return PassbackSection(classSourcedID: "S1", termSourcedID: "T1", schoolID: "702", canvasCourseID: "1", canvasSectionID: "2", lineItems: items)
    }

    func streamedFile(_ section: PassbackSection, to path: String) throws -> [String] {
        var start = section
        start.lineItems = []
        let file = try PassbackFile().begin(header: PassbackWriterTests.header, section: start, at: path)
        for item in section.lineItems { try file.write(item) }
        return try file.finish()
    }

    @Test func aFileValidatedWhileWrittenIsTheFileWrittenWholeAndJudgedTheSame() throws {
        let folder = TestScratch.root.appendingPathComponent("streamed-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 6,000 results: about 1.5 MB, so the validation starts while the file is written.
        let section = largeSection(results: 6_000)
        let streamedPath = folder.appendingPathComponent("streamed.xml").path
        let wholePath = folder.appendingPathComponent("whole.xml").path
        #expect(try streamedFile(section, to: streamedPath) == [])
        try PassbackFile().write(header: PassbackWriterTests.header, sections: [section], to: wholePath)
        #expect(FileManager.default.contents(atPath: streamedPath) == FileManager.default.contents(atPath: wholePath))
        #expect((try FileManager.default.attributesOfItem(atPath: streamedPath)[.size] as? Int ?? 0) > 4 * PassbackXMLBuffer.flushSize)

        // A result id twice (the schema's xs:unique) at the very end: found by the validator
        // that read the file as it grew, as by the one that reads it after.
        let invalidPath = folder.appendingPathComponent("invalid.xml").path
        let problems = try streamedFile(largeSection(results: 6_000, duplicateLast: true), to: invalidPath)
        #expect(!problems.isEmpty)
        #expect(problems == PassbackFile().validate(fileAt: invalidPath))
    }

    @Test func anAbandonedFileStopsItsValidation() throws {
        let folder = TestScratch.root.appendingPathComponent("abandoned-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var section = largeSection(results: 6_000)
        let items = section.lineItems
        section.lineItems = []
        let file = try PassbackFile().begin(header: PassbackWriterTests.header, section: section, at: folder.appendingPathComponent("a.xml").path)
        for item in items.prefix(15) { try file.write(item) }
        file.abandon()  // returns once the validating thread has stopped (a hang fails the suite)
        file.abandon()
    }
}
