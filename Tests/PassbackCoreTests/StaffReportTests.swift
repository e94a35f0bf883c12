import Foundation
import Mustache
import Testing

@testable import PassbackCore

/// Names a registrar's or a teacher's file can carry: each must reach the page as text only.
enum HostileText {
    static let all = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(2)>",
        "x\"\u{301} onmouseover=alert(3) y=\"",
        "'><svg onload=alert(4)>",
        "&lt;b&gt;kept as typed&lt;/b&gt; &amp; &#60;",
        "</title></textarea><iframe src=//evil.example>",
        "<!-- a comment --><style>body{display:none}</style>",
    ]
}

@Suite struct StaffPageEscapingTests {
    /// A template as the pages use them, with the value once as text and twice in attributes.
    static let probe =
        StaffPageTemplates.pragma + """
            <!DOCTYPE html><html><head><title>probe</title></head><body><p title="{{value}}" data-single='{{value}}'>{{value}}</p></body></html>
            """

    @Test(arguments: HostileText.all)
    func aValueReadsBackAsTheSameTextInElementsAndAttributes(_ value: String) throws {
        _ = StaffPageTemplates.library  // registers the content type
        let html = try MustacheTemplate(string: Self.probe).render(["value": value])
        let document = try HTMLTestDocument(html)
        let body = try #require(document.root.descendants(named: "body").first)
        #expect(body.elements.map(\.name) == ["body", "p"], "markup came out of \(value.debugDescription): \(html)")
        let paragraph = try #require(body.descendants(named: "p").first)
        #expect(paragraph.textContent == value)
        #expect(paragraph.attribute("title") == value)
        #expect(paragraph.attribute("data-single") == value)
        #expect(paragraph.attributes.map(\.name) == ["title", "data-single"])
    }

    @Test func escapingWorksOnBytesNotOnCharacters() {
        // A quote followed by a combining mark is one Character, and still a quote to HTML.
        #expect(StaffPageEscaping.escape("a\"\u{301}b") == "a&quot;\u{301}b")
        #expect(StaffPageEscaping.escape("<&>'\"") == "&lt;&amp;&gt;&#39;&quot;")
        #expect(StaffPageEscaping.escape("Zoë García") == "Zoë García")
    }

    @Test func templatesInsertValuesOnlyThroughEscapingTags() {
        for text in StaffPageTemplates.allTexts {
            #expect(text.hasPrefix(StaffPageTemplates.pragma), "a template does not name the escaping content type first")
            for unescaped in ["{{{", "{{&", "{{="] {
                #expect(!text.contains(unescaped), "a template inserts a value unescaped (\(unescaped))")
            }
        }
    }
}

@Suite struct StaffReportDigestTests {
    static let runID = "20251001T090000Z-01"

    static func row(
        _ status: ReportRow.Status, _ rule: String?, course: String? = "C1", section: String? = "S1", assignment: String? = nil,
        name: String? = nil, student: String? = nil, count: Int? = nil, file: String? = "c1.canvas.json", line: Int? = nil,
        request: String? = "R-001", _ message: String = "m"
    ) -> ReportRow {
        ReportRow(
            runID: runID, requestID: request, status: status, rule: rule.map { RuleCode(rawValue: $0) },
            subject: ReportSubject(
                courseSISID: course, sectionSISID: section, canvasCourseID: course == nil ? nil : "9", canvasAssignmentID: assignment, assignmentName: name, categorySourcedID: nil,
                studentSISID: student),
            count: count, location: file.map { SourceLocation(file: $0, line: line) }, message: message
        )
    }

    /// Rows of rules this project does not have yet (issue 15: other engineers add them), beside
    /// known ones: each lands where its status and subject put it.
    static var rows: [ReportRow] {
        [
            row(.success, nil, assignment: "1", name: "Homework", count: 12, "Sent 12 grades."),
            row(.success, nil, assignment: "2", name: "Quiz", count: 3, "Sent 3 grades."),
            row(.error, "ambiguous-section", request: nil, "Two Aspire sections match; name one."),
            row(.skipped, "section-not-in-aspire", course: "C2", section: "S9", request: nil, "Not sent: Aspire has no such section."),
            row(.skipped, "outside-window", assignment: "3", name: "Essay", count: 7, "7 grades changed before the window."),
            row(.skipped, "grade-not-posted", course: "C2", section: "S2", assignment: "4", name: "Lab", count: 4, "4 grades are not posted."),
            row(.warning, "category-pending-verification", assignment: "5", name: "Project", "Held: not verified."),
            row(.error, "too-large", course: nil, section: nil, file: "big.gradebook.csv", request: nil, "The file is over 64 MiB."),
            row(.error, "invalid-score", assignment: "1", name: "Homework", student: "1001", file: "c1.gradebook.csv", line: 5, "The score \"x\" is not a number."),
            row(.error, "invalid-score", assignment: "1", name: "Homework", student: "1002", file: "c1.gradebook.csv", line: 6, "The score \"x\" is not a number."),
            row(.error, "invalid-score", assignment: "1", name: "Homework", student: "1001", file: "c1.gradebook.csv", line: 5, "The score \"x\" is not a number."),
            row(.error, "name-too-long", assignment: "6", name: "=SUM(A1)", "Shorten the name."),
            row(.warning, "extra-credit", assignment: "2", name: "Quiz", student: "1003", "Sent with extra credit."),
        ]
    }

    static func digest(_ rows: [ReportRow]) throws -> StaffReportDigest {
        var bytes: [UInt8] = []
        for row in rows { row.appendRecord(to: &bytes) }
        var digest = StaffReportDigest()
        try digest.add(csvRecords: bytes)
        return digest
    }

    @Test func rulesTheDigestDoesNotKnowAreCountedAndPlacedByStatusAndSubject() throws {
        let digest = try Self.digest(Self.rows)
        #expect(digest.rowCount == 13)
        #expect(digest.statusCounts == ["success": 2, "error": 6, "warning": 2, "skipped": 3])
        #expect(digest.lineItemsSent == 2)
        #expect(digest.gradesSent == 15)
        #expect(digest.rules[.init(rule: "invalid-score", status: "error")]?.rows == 3)
        #expect(digest.rules[.init(rule: "section-not-in-aspire", status: "skipped")]?.rows == 1)

        // Held: the three rules of StaffReportDigest.heldRules, with their counts.
        #expect(digest.held["outside-window"]?.countSum == 7)
        #expect(digest.held["grade-not-posted"]?.countSum == 4)
        #expect(digest.held["category-pending-verification"]?.rows == 1)
        #expect(digest.held["category-pending-verification"]?.countedRows == 0)

        // A file-level error is a rejected file, whatever its rule.
        #expect(digest.rejectedFiles.map(\.rule) == ["too-large"])

        // What to fix: C1 only (C2's rows are skipped or held), by section, assignment and problem.
        #expect(digest.courses.keys == ["sis\u{0}C1"])
        let course = try #require(digest.courses["sis\u{0}C1"])
        #expect(course.errors == 5)
        #expect(course.warnings == 1)
        let section = try #require(course.sections["S1"])
        let assignments = section.assignments.values.map(StaffPage.assignmentLabel)
        #expect(assignments == ["Not one assignment", "Homework (Canvas 1)", "'=SUM(A1) (Canvas 6)", "Quiz (Canvas 2)"])
        let homework = section.assignments.values[1]
        #expect(homework.problems.values.count == 1)
        #expect(homework.problems.values[0].rows == 3)
        #expect(homework.problems.values[0].students == ["1001", "1002"])
    }

    /// A report in many chunks as a run commits them: the rows above in several courses, the
    /// same students and problems again in later chunks, a chunk of successes alone.
    static var chunks: [Data] {
        (0..<300).map { n in
            var bytes: [UInt8] = []
            let course = "C\(n % 7)"
            for row in rows {
                var row = row
                if row.subject.courseSISID != nil { row.subject.courseSISID = course }
                if row.subject.studentSISID != nil { row.subject.studentSISID = "\(n % 5)" + (row.subject.studentSISID ?? "") }
                if n % 11 == 0, row.status != .success { continue }
                row.appendRecord(to: &bytes)
            }
            return Data(bytes)
        }
    }

    @Test func aReportDigestedInPartsIsTheDigestOfTheWhole() throws {
        let chunks = Self.chunks
        var whole = StaffReportDigest()
        for chunk in chunks { try whole.add(csvRecords: Array(chunk)) }
        #expect(whole.courses.count == 7)
        #expect(whole.rowCount == chunks.reduce(0) { $0 + $1.filter { $0 == 0x0A }.count })
        for cut in [1, 2, 11, 150, 299] {
            var first = StaffReportDigest()
            for chunk in chunks[..<cut] { try first.add(csvRecords: Array(chunk)) }
            var second = StaffReportDigest()
            for chunk in chunks[cut...] { try second.add(csvRecords: Array(chunk)) }
            first.append(second)
            #expect(first == whole, "cut after chunk \(cut)")
        }
        for workers in [1, 2, 3, 8] {
            #expect(try StaffReportDigest(csvRecordChunks: chunks, workers: workers) == whole, "\(workers) workers")
        }
        #expect(throws: LedgerError.self) { try StaffReportDigest(csvRecordChunks: chunks + [Data("a,b\r\n".utf8)] + chunks, workers: 2) }
    }

    static func page(_ digest: StaffReportDigest, exitCode: Int32 = 1) -> StaffPage {
        let clock = Make.date("2025-10-01T09:00:00Z")
        let overview = Ledger.RunOverview(
            id: runID, clock: clock, mode: .incremental, startedAt: clock, finishedAt: clock.addingTimeInterval(252), isFinished: true,
            exitCode: exitCode, files: Ledger.RunFiles(claimed: 2_345, rejected: 1, waiting: 0),
            tally: Ledger.RunTally(resultsSent: 15, rows: [.success: 2, .error: 6])
        )
        let run = StaffPage.Run(overview: overview, requests: [.errors: 1], xmlFiles: 1, rejectedBundleStems: [:])
        let format = StaffPageFormat(timeZone: TimeZone(identifier: "America/Denver")!)
        let trend = TrendChart(points: [TrendChart.Point(runID: runID, date: "Wed 1 Oct 2025", shortDate: "1 Oct", sent: 15, errors: 6, rejected: 1, isCurrent: true)])
        return StaffPage(run: run, digest: digest, trend: trend, format: format, writtenAt: clock)
    }

    @Test func thePageShowsEachPartOfTheDigest() throws {
        let document = try HTMLTestDocument(Self.page(try Self.digest(Self.rows)).html())
        let statuses = try #require(document.table(caption: "Report rows by status"))
        #expect(statuses.map { [$0[0], $0[2]] } == [["success", "2"], ["error", "6"], ["warning", "2"], ["skipped", "3"]])
        let rejected = try #require(document.table(caption: "Files moved to quarantine"))
        #expect(rejected.count == 1)
        #expect(rejected[0][0] == "big.gradebook.csv")
        #expect(rejected[0][1] == "error: too-large")
        #expect(rejected[0][3] == "in quarantine/\(Self.runID)/reason: big.gradebook.csv.reason.txt")
        let window = try #require(document.table(caption: "Changed outside the incremental window"))
        #expect(window.map { Array($0.prefix(4)) } == [["C1", "1", "1", "7"]])
        let notPosted = try #require(document.table(caption: "Grade not posted in Canvas yet"))
        #expect(notPosted.map { Array($0.prefix(4)) } == [["C2", "1", "1", "4"]])
        let pending = try #require(document.table(caption: "Category not verified in Aspire yet"))
        #expect(pending.map { Array($0.prefix(4)) } == [["C1", "1", "1", "not counted"]])
        let fixes = document.tables(class: "fixes")
        #expect(document.elements.first { $0.attribute("id") == "course-1" }?.textContent.hasPrefix("Course C1Canvas course 9") == true)
        #expect(fixes.first?.first?.hasSuffix("5 errors, 1 warning · 15 grades sent (2 line items)") == true)
        #expect(
            Array(fixes.dropFirst()) == [
                ["Section S1"],
                ["Not one assignment", "error: ambiguous-section", "Two Aspire sections match; name one.", "whole course"],
                ["Homework (Canvas 1)", "error: invalid-score", "The score \"x\" is not a number.", "2 studentsShow the 2 student ids1001, 1002"],
                ["'=SUM(A1) (Canvas 6)", "error: name-too-long", "Shorten the name.", "whole assignment"],
                ["Quiz (Canvas 2)", "warning: extra-credit", "Sent with extra credit.", "1 studentShow the student id1003"],
            ])
        // The three students of invalid-score are two, their ids on demand.
        let details = document.elements.filter { $0.name == "details" }.map(\.textContent)
        #expect(details.contains { $0.contains("Show the 2 student ids") && $0.contains("1001, 1002") })
        #expect(document.text.contains("2,345 claimed from the inbox, 1 rejected, 0 waiting"))
        #expect(document.text.contains("Duration4 min 12 s"))
        #expect(document.text.contains("Wed 1 Oct 2025, 03:00"))
    }

    @Test func aNightWithFarMoreProblemsListsTheFirstAndCountsTheRest() throws {
        let many = (0..<(StaffPage.maximumProblemsListed + 7)).map { n in
            Self.row(.error, "invalid-score", assignment: "1", name: "Homework", student: "\(n)", "The score \"\(n)x\" is not a number.")
        }
        let html = Self.page(try Self.digest(many)).html()
        let document = try HTMLTestDocument(html)
        let rows = document.tables(class: "fixes").filter { $0.count > 1 }
        #expect(rows.count == StaffPage.maximumProblemsListed)
        #expect(document.text.contains("7 more problems are not listed here"))
    }

    @Test func eachProblemRowShowsItsOwnStatusAndAssignment() throws {
        // The same problem in two courses (its cells rendered once for the page, shown twice), a
        // warning, and an assignment with two problems (its name spans both rows).
        let rows = [
            Self.row(.error, "no-due-date", course: "C1", assignment: "7", name: "Essay", "Give it a due date."),
            Self.row(.error, "no-due-date", course: "C2", assignment: "8", name: "<b>Essay</b>", "Give it a due date."),
            Self.row(.warning, "extra-credit", course: "C2", assignment: "8", name: "<b>Essay</b>", student: "1003", "Sent with extra credit."),
        ]
        let document = try HTMLTestDocument(Self.page(try Self.digest(rows)).html())
        let fixes = document.tables(class: "fixes")
        #expect(
            Array(fixes.dropFirst()) == [
                ["Section S1"],
                ["<b>Essay</b> (Canvas 8)", "error: no-due-date", "Give it a due date.", "whole assignment"],
                ["warning: extra-credit", "Sent with extra credit.", "1 studentShow the student id1003"],
                ["Course C1Canvas course 9 · c1.canvas.json · 1 error · 0 grades sent (0 line items)"],
                ["Section S1"],
                ["Essay (Canvas 7)", "error: no-due-date", "Give it a due date.", "whole assignment"],
            ])
        let cells = document.elements.filter { $0.name == "td" && ["error", "warning"].contains($0.attribute("class") ?? "") }
        #expect(cells.map { "\($0.attribute("class") ?? ""): \($0.textContent)" } == ["error: error: no-due-date", "warning: warning: extra-credit", "error: error: no-due-date"])
        let heads = document.elements.filter { $0.name == "th" && $0.attribute("scope") == "row" && $0.textContent.contains("Essay") }
        #expect(heads.map { $0.attribute("rowspan") } == ["2", nil])
        #expect(document.elements.filter { $0.name == "b" }.isEmpty)
    }

    @Test func sectionsWithTheSameProblemsAreShownOnce() throws {
        let rows = ["S1", "S2", "S3"].map { section in
            Self.row(.error, "no-due-date", section: section, assignment: "7", name: "Essay", section == "S3" ? "Give it a due date in S3." : "Give it a due date.")
        }
        let fixes = HTMLTestDocument.tablesOrEmpty(Self.page(try Self.digest(rows)).html(), class: "fixes")
        #expect(fixes.dropFirst().map { $0.first ?? "" } == ["Sections S1, S2 (the same problems in each)", "Essay (Canvas 7)", "Section S3", "Essay (Canvas 7)"])
    }

    @Test func coursesPastTheSizeForMailAreNamedNotListed() throws {
        let message = String(repeating: "Change the assignment in Canvas. ", count: 20)
        let rows = (0..<3_000).map { n in Self.row(.error, "some-rule", course: "C\(n)", assignment: "1", name: "Essay", message + "\(n)") }
        let html = Self.page(try Self.digest(rows)).html()
        #expect(html.utf8.count < 2_000_000)
        let document = try HTMLTestDocument(html)
        let courses = document.tables(class: "fixes").filter { $0.first?.hasPrefix("Course C") == true }
        #expect(courses.count > 1_000 && courses.count < 3_000)
        let note = try #require(document.elements.first { $0.attribute("class") == "note" && $0.textContent.contains("not listed here") }?.textContent)
        #expect(note.hasPrefix("\(StaffPageFormat.number(3_000 - courses.count)) more problems are not listed here"))
        #expect(note.contains("courses not listed: C\(courses.count), C\(courses.count + 1),"))
        #expect(note.hasSuffix("C2999."))
    }

    @Test func numbersDatesAndDurationsAreWrittenForPeople() {
        #expect(StaffPageFormat.number(0) == "0")
        #expect(StaffPageFormat.number(999) == "999")
        #expect(StaffPageFormat.number(1_000) == "1,000")
        #expect(StaffPageFormat.number(98_123_456) == "98,123,456")
        #expect(StaffPageFormat.number(-12_345) == "-12,345")
        #expect(StaffPageFormat.duration(0.44) == "0.4 s")
        #expect(StaffPageFormat.duration(42) == "42 s")
        #expect(StaffPageFormat.duration(252) == "4 min 12 s")
        #expect(StaffPageFormat.duration(7_500) == "2 h 5 min")
        let denver = StaffPageFormat(timeZone: TimeZone(identifier: "America/Denver")!)
        #expect(denver.dateTime(Make.date("2025-10-01T09:00:00Z")).hasPrefix("Wed 1 Oct 2025, 03:00 "))
        #expect(denver.dateTime(Make.date("2025-12-01T09:00:00Z")).hasPrefix("Mon 1 Dec 2025, 02:00 "))
        let utc = StaffPageFormat(timeZone: TimeZone(identifier: "UTC")!)
        #expect(utc.dateTime(Make.date("2025-10-01T09:00:00Z")) == "Wed 1 Oct 2025, 09:00 UTC")
    }
}
