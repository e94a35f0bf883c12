import Foundation
import Testing

@testable import PassbackCore

/// Issue 11 end to end, on course bundles built from real Canvas API responses
/// (`Fixtures/canvas-real/`, see its README): exact sections from the enrollments, every override
/// kind, letter grades with scores, decimal commas and thousands marks, grades not posted, held
/// grades released whatever their age, sections that are not in Aspire. Each test runs the real
/// pipeline with a fixed clock and checks the XML and the report rows.
@Suite struct CanvasRealDataTests {
    static let firstRun = "2020-08-25T09:00:00Z"
    /// 51 days after the first run: every grade of the fixtures changed before the window.
    static let monthsLater = "2020-10-15T09:00:00Z"

    func workspace(_ settings: String = "settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n") throws -> ScenarioWorkspace {
        let workspace = try ScenarioWorkspace(settings: settings)
        try workspace.dropReal("aspire-2020-q1.categories.csv")
        return workspace
    }

    func dropBundle(_ stem: String, into workspace: ScenarioWorkspace) throws {
        try workspace.dropReal("\(stem).gradebook.csv")
        try workspace.dropReal("\(stem).canvas.json")
    }

    func rows(_ rows: [[String: String]], rule: String) -> [[String: String]] {
        rows.filter { $0["rule"] == rule }
    }

    // MARK: Reading

    /// The fast path reads every real bundle exactly as the decoder does (the override of an
    /// unknown kind it leaves to the decoder, which reads it and names the kind).
    @Test(arguments: ["english-14", "english-14-names", "algebra-16", "algebra-16-paths", "geometry-26-de"])
    func bothReadersReadTheRealBundlesAlike(stem: String) throws {
        let data = try Data(contentsOf: Fixture.url("canvas-real/\(stem).canvas.json"))
        #expect(CanvasBundleReader.fastPathDisagreement(data) == nil)
        let fast = CanvasBundleFastReader.read(data)
        #expect((fast == nil) == (stem == "algebra-16-paths"), "only the unknown override kind goes to the decoder")
        let bundle = try CanvasBundleReader().read(data: data)
        #expect(bundle == (try CanvasBundleReader().decodeWithFoundation(data)))
    }

    @Test func readsEnrollmentsSubmissionsAndEveryOverrideKind() throws {
        let english = try CanvasBundleReader().read(fileAt: Fixture.path("canvas-real/english-14.canvas.json"))
        let enrollments = try #require(english.enrollments)
        #expect(enrollments.first == CanvasEnrollment(userID: "13", courseSectionID: "5", sisUserID: "604863", type: "StudentEnrollment", enrollmentState: "active"))
        #expect(enrollments.filter { $0.userID == "14" }.map(\.courseSectionID) == ["5", "8"])
        let names = try CanvasBundleReader().read(fileAt: Fixture.path("canvas-real/english-14-names.canvas.json"))
        #expect(names.enrollments == nil, "no member: the gradebook's names decide")
        // A real submission: a grade posted when graded, re-submitted since (`submitted`).
        #expect(
            english.submissions.first
                == CanvasSubmission(
                    assignmentID: "7", userID: "13", gradedAt: Make.date("2020-08-21T14:35:54Z"), score: ExactDecimal(80), excused: false,
                    posting: .posted(Make.date("2020-08-21T14:35:54Z")), workflowState: "submitted"
                ))

        let paths = try CanvasBundleReader().read(fileAt: Fixture.path("canvas-real/algebra-16-paths.canvas.json"))
        let overrides = paths.assignmentGroups.flatMap(\.assignments).flatMap(\.overrides)
        #expect(overrides.map(\.target) == [.course("16"), .section("11"), .noop("1"), .unknown("differentiation_tag_id")])
        #expect(overrides.map(\.unassign) == [false, true, false, false])
        #expect(overrides[0].dueAt == .date(Make.date("2020-08-21T05:59:59Z")))
        let project = paths.submissions.filter { $0.assignmentID == "13" }
        #expect(project.map(\.posting) == [.posted(Make.date("2020-08-21T14:39:58Z")), .notPosted, .notPosted])
        #expect(project.map(\.score) == [Make.decimal("1200.5"), ExactDecimal(1350), ExactDecimal(990)])
        #expect(paths.submissions.first { $0.assignmentID == "12" && $0.userID == "15" }?.excused == true)
    }

    // MARK: Sections

    /// Two sections named "Period 1" and the default section (named after the course, no SIS
    /// id): with the enrollments every student lands in the right XML, a student enrolled in
    /// both "Period 1" sections in both, once each.
    @Test func enrollmentsPlaceStudentsInSectionsThatShareAName() throws {
        let workspace = try workspace()
        try dropBundle("english-14", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 0)
        #expect(
            try workspace.sentResults(summary, section: "MST-ENG1-P1A") == [
                "canvas-3:604863 active fully graded 100", "canvas-3:604874 active fully graded 100",
                "canvas-7:604863 active fully graded 80", "canvas-7:604874 active fully graded 90",
            ])
        #expect(
            try workspace.sentResults(summary, section: "MST-ENG1-P1B") == [
                "canvas-3:604874 active fully graded 100", "canvas-3:604969 active fully graded 100", "canvas-3:604974 active fully graded 0",
                "canvas-7:604874 active fully graded 90", "canvas-7:604969 active fully graded 0",
            ])
        let report = try workspace.report(summary)
        let notInAspire = rows(report, rule: "section-not-in-aspire")
        #expect(notInAspire.count == 1)
        #expect(notInAspire.first?["status"] == "skipped")
        #expect(notInAspire.first?["count"] == "2")
        #expect(notInAspire.first?["request_id"] == "")
        #expect(notInAspire.first?["message"]?.contains("\"English I\" (9)") == true)
        #expect(report.filter { $0["status"] == "error" || $0["status"] == "warning" }.isEmpty)
        #expect(summary.requests == [.success: 2])
    }

    /// Without the enrollments a name two sections share cannot tell them apart: every such
    /// student is `ambiguous-section`, and nobody is guessed into either section.
    @Test func withoutEnrollmentsASharedNameIsAmbiguousNeverAGuess() throws {
        let workspace = try workspace()
        try dropBundle("english-14-names", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 1)
        #expect(try workspace.sentResults(summary).isEmpty)
        let ambiguous = rows(try workspace.report(summary), rule: "ambiguous-section")
        #expect(ambiguous.map { $0["student_sis_id"] ?? "" } == ["604863", "604969", "604974", "604874", "605015"])
        #expect(ambiguous.allSatisfy { $0["status"] == "error" && $0["request_id"] == "" })
        #expect(ambiguous.first?["message"]?.contains("2 Canvas sections are named \"Period 1\" (5 (MST-ENG1-P1A), 8 (MST-ENG1-P1B))") == true)
        #expect(ambiguous.first { $0["student_sis_id"] == "604874" }?["source_line"] == "6", "\"Period 1 and Period 1\" is one name, one row")
        // Both sections' line items go out (new), with no results; the default section still counts its two students.
        #expect(try workspace.xml(summary, section: "MST-ENG1-P1A")?.contains("<LineItem sourcedId=\"canvas-7\"") == true)
        #expect(rows(try workspace.report(summary), rule: "section-not-in-aspire").first?["count"] == "2")
    }

    // MARK: Overrides

    /// "Everyone" with its own date (`course_id`), a section taken out (`unassign_item`): read,
    /// applied, and nothing to report. Mastery Paths (`noop_id`) and a kind passback does not
    /// know are `differentiated` for those assignments only; the course is never quarantined.
    @Test func everyOverrideKindIsReadAndOnlyUnknownOnesAreReported() throws {
        let workspace = try workspace()
        try dropBundle("algebra-16-paths", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 1)
        let report = try workspace.report(summary)
        #expect(rows(report, rule: "malformed-file").isEmpty)
        let differentiated = rows(report, rule: "differentiated")
        #expect(
            differentiated.map { "\($0["section_sis_id"]!) \($0["canvas_assignment_id"]!)" } == [
                "MST-ALG1-P3 14", "MST-ALG1-P3 15", "MST-ALG1-P4 14", "MST-ALG1-P4 15",
            ])
        #expect(differentiated[0]["message"]?.contains("Mastery Paths") == true)
        #expect(differentiated[1]["message"]?.contains("(differentiation_tag_id)") == true)
        // The "Everyone" override's due date (the 21st, 05:59Z: the 20th in Denver), in both sections.
        let p3 = try #require(try workspace.xml(summary, section: "MST-ALG1-P3"))
        let p4 = try #require(try workspace.xml(summary, section: "MST-ALG1-P4"))
        for xml in [p3, p4] {
            #expect(
                xml.contains(
                    "<LineItem sourcedId=\"canvas-5\" status=\"active\">\n      <Title>ALG Homework 1</Title>\n      <CategorySourcedId>GCT-ALG1-HW</CategorySourcedId>\n      <AssignDate>2020-08-18</AssignDate>\n      <DueDate>2020-08-20</DueDate>"
                ))
            #expect(!xml.contains("canvas-14") && !xml.contains("canvas-15"))
        }
        // Period 4 is taken out of Homework 2: no line item there, Period 3 has it.
        #expect(p3.contains("<LineItem sourcedId=\"canvas-6\""))
        #expect(!p4.contains("<LineItem sourcedId=\"canvas-6\""))
    }

    // MARK: Scores, posting and locales

    static let algebraSent = [
        "canvas-12:604863 active fully graded 3.7", "canvas-12:604918 active exempt",
        "canvas-13:604863 active fully graded 1200.5",
        "canvas-5:604863 active fully graded 80", "canvas-5:604918 active fully graded 0",
        "canvas-6:604863 active fully graded 85", "canvas-6:604874 active fully graded 90",
    ]

    /// Letter grades of a GPA-scale quiz go out as their submissions' scores, `excused` as
    /// exempt, `"1,200.50"` as 1200.5; the project's grades that are not posted are kept back
    /// with a count.
    @Test func scoresExcusedThousandsAndGradesNotPosted() throws {
        let workspace = try workspace()
        try dropBundle("algebra-16", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 0)
        #expect(try workspace.sentResults(summary, section: "MST-ALG1-P3") == Self.algebraSent)
        #expect(try workspace.sentResults(summary, section: "MST-ALG1-P4") == ["canvas-12:604927 active fully graded 3.3", "canvas-5:604927 active fully graded 70"])
        let report = try workspace.report(summary)
        let notPosted = rows(report, rule: "grade-not-posted")
        #expect(
            notPosted.map { "\($0["section_sis_id"]!) \($0["canvas_assignment_id"]!) \($0["count"]!) \($0["status"]!)" } == [
                "MST-ALG1-P3 13 1 skipped", "MST-ALG1-P4 13 1 skipped",
            ])
        #expect(rows(report, rule: "invalid-score").isEmpty)
        let status = try workspace.ledger().syncRequests(SyncRequestQuery(runID: summary.runID)).requests
        #expect(status.map(\.notPosted) == [1, 1])
        #expect(status.map(\.status) == [.success, .success])
    }

    /// The same course exported by a teacher whose Canvas speaks German, without the semicolon
    /// setting: decimal commas in a comma-separated file (quoted), a byte-order mark,
    /// `(schreibgeschützt)`, and a cell saved again by a spreadsheet as `1.200,50`. Same grades.
    @Test func aGermanExportInACommaFileSendsTheSameGrades() throws {
        let workspace = try workspace()
        try dropBundle("geometry-26-de", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 0)
        #expect(try workspace.sentResults(summary, section: "MST-GEO1-P5") == Self.algebraSent)
        #expect(try workspace.report(summary).filter { $0["status"] == "error" }.isEmpty)
    }

    @Test func sendUnpostedGradesSendsThemAtOnce() throws {
        let workspace = try workspace("settle_seconds = 0\nsend_unposted_grades = true\n")
        try dropBundle("algebra-16", into: workspace)
        let summary = try workspace.run(at: Self.firstRun)
        #expect(try workspace.sentResults(summary, section: "MST-ALG1-P3").contains("canvas-13:604918 active fully graded 990"))
        #expect(rows(try workspace.report(summary), rule: "grade-not-posted").isEmpty)
    }

    // MARK: Held grades across the window

    /// Grades not posted are sent by the first run after they are posted, although they were
    /// graded long before the window.
    @Test func gradesNotPostedGoOutOnceThePostingIsThereWhateverTheirAge() throws {
        let workspace = try workspace()
        try dropBundle("algebra-16", into: workspace)
        try workspace.run(at: Self.firstRun)
        try workspace.dropReal("algebra-16.gradebook.csv")
        try workspace.dropReal("algebra-16.canvas.json") { bundle in
            var submissions = bundle["submissions"] as! [[String: Any]]
            for index in submissions.indices where submissions[index]["posted_at"] is NSNull {
                submissions[index]["posted_at"] = "2020-10-14T15:00:00Z"
            }
            bundle["submissions"] = submissions
        }
        let summary = try workspace.run(at: Self.monthsLater)
        #expect(summary.exitCode == 0)
        #expect(try workspace.sentResults(summary) == ["canvas-13:604918 active fully graded 990", "canvas-13:604927 active fully graded 1350"])
        #expect(rows(try workspace.report(summary), rule: "outside-window").isEmpty)
    }

    /// A student without an SIS id (an error) whose id is added 51 days later: their grades go
    /// out then, although they were graded before the window.
    @Test func aStudentFixedAfterTheWindowIsSentThen() throws {
        let workspace = try workspace()
        try workspace.dropReal("english-14.gradebook.csv") { $0.replacingOccurrences(of: "19,604974,", with: "19,,") }
        try workspace.dropReal("english-14.canvas.json") { $0.replacingOccurrences(of: "\"604974\"", with: "null") }
        let held = try workspace.run(at: Self.firstRun)
        #expect(held.exitCode == 1)
        #expect(rows(try workspace.report(held), rule: "student-without-sis-id").count == 1)
        #expect(try !workspace.sentResults(held).contains { $0.contains("604974") })

        try dropBundle("english-14", into: workspace)
        let fixed = try workspace.run(at: Self.monthsLater)
        #expect(fixed.exitCode == 0)
        #expect(try workspace.sentResults(fixed) == ["canvas-3:604974 active fully graded 0"])
    }

    /// An assignment held by an error while a grade changes, fixed after the window: its line
    /// item carries that grade. A grade that changed before the window and was never held is
    /// reported as `outside-window` with a count, and counted in `status`.
    @Test func anAssignmentReleasedAfterTheWindowCarriesItsHeldGrade() throws {
        let workspace = try workspace()
        try dropBundle("english-14", into: workspace)
        try workspace.run(at: Self.firstRun)

        // Homework 1 loses its due date (an error) while Mary Archer's grade goes 80 → 85.
        func regraded(_ bundle: inout [String: Any], dueAt: Any) {
            var groups = bundle["assignment_groups"] as! [[String: Any]]
            var assignments = groups[0]["assignments"] as! [[String: Any]]
            assignments[0]["due_at"] = dueAt
            groups[0]["assignments"] = assignments
            bundle["assignment_groups"] = groups
            var submissions = bundle["submissions"] as! [[String: Any]]
            for index in submissions.indices {
                if submissions[index]["assignment_id"] as? Int == 7, submissions[index]["user_id"] as? Int == 13 {
                    submissions[index]["score"] = 85.0
                    submissions[index]["graded_at"] = "2020-08-29T16:00:00Z"
                }
                if submissions[index]["assignment_id"] as? Int == 3, submissions[index]["user_id"] as? Int == 18 {
                    submissions[index]["score"] = 95.0
                    submissions[index]["graded_at"] = "2020-08-29T16:00:00Z"
                }
            }
            bundle["submissions"] = submissions
        }
        let gradebook: (String) -> String = {
            $0.replacingOccurrences(of: "Period 1,80.00,100.00", with: "Period 1,85.00,100.00")
                .replacingOccurrences(of: "Period 1,0.00,100.00,0.00", with: "Period 1,0.00,95.00,0.00")
        }
        try workspace.dropReal("english-14.gradebook.csv", edit: gradebook)
        try workspace.dropReal("english-14.canvas.json") { regraded(&$0, dueAt: NSNull()) }
        let held = try workspace.run(at: "2020-08-30T09:00:00Z")
        #expect(held.exitCode == 1)
        #expect(rows(try workspace.report(held), rule: "no-due-date").count == 2)
        #expect(try workspace.sentResults(held) == ["canvas-3:604969 active fully graded 95"], "Reading was not held")

        // Fixed 46 days after the regrade; Stephen Caldwell's Reading grade was changed again on
        // the 30th, sent by nobody since: outside the window, and never held.
        try workspace.dropReal("english-14.gradebook.csv") { gradebook($0).replacingOccurrences(of: "Period 1,0.00,95.00,0.00", with: "Period 1,0.00,97.00,0.00") }
        try workspace.dropReal("english-14.canvas.json") { bundle in
            regraded(&bundle, dueAt: "2020-08-22T05:59:59Z")
            var submissions = bundle["submissions"] as! [[String: Any]]
            for index in submissions.indices where submissions[index]["assignment_id"] as? Int == 3 && submissions[index]["user_id"] as? Int == 18 {
                submissions[index]["score"] = 97.0
                submissions[index]["graded_at"] = "2020-08-30T16:00:00Z"
            }
            bundle["submissions"] = submissions
        }
        let released = try workspace.run(at: Self.monthsLater)
        #expect(released.exitCode == 0)
        #expect(try workspace.sentResults(released) == ["canvas-7:604863 active fully graded 85"])
        let outside = rows(try workspace.report(released), rule: "outside-window")
        #expect(outside.map { "\($0["section_sis_id"]!) \($0["canvas_assignment_id"]!) \($0["count"]!) \($0["status"]!)" } == ["MST-ENG1-P1B 3 1 skipped"])
        #expect(outside.first?["message"]?.contains("--bulk") == true)
        let requests = try workspace.ledger().syncRequests(SyncRequestQuery(runID: released.runID)).requests
        #expect(requests.map(\.outsideWindow) == [0, 1])
        #expect(StatusTable.text(requests: requests, counts: [:], time: SchoolTime(timeZone: TimeZone(identifier: "UTC")!)).contains("OUTSIDE WINDOW"))

        // --bulk sends it.
        try dropBundle("english-14", into: workspace)
        try workspace.dropReal("english-14.gradebook.csv") { gradebook($0).replacingOccurrences(of: "Period 1,0.00,95.00,0.00", with: "Period 1,0.00,97.00,0.00") }
        let bulk = try workspace.run(at: "2020-10-16T09:00:00Z", mode: .bulk)
        #expect(try workspace.sentResults(bulk, section: "MST-ENG1-P1B").contains("canvas-3:604969 active fully graded 97"))
    }

    // MARK: A district's night, as a new user would run it

    /// English (two "Period 1" sections and a default one, with enrollments), Algebra (every
    /// everyday override kind, letter grades, excused, thousands, grades not posted) and the
    /// same course exported in German: nothing is really wrong, so the run exits 0, and every
    /// Aspire section's XML holds exactly its students' grades.
    @Test func aDistrictInboxWithAllOfItExitsZero() throws {
        let workspace = try workspace()
        for stem in ["english-14", "algebra-16", "geometry-26-de"] { try dropBundle(stem, into: workspace) }
        let summary = try workspace.run(at: Self.firstRun)
        #expect(summary.exitCode == 0)
        #expect(summary.requests == [.success: 6])
        let outbox = try FileManager.default.contentsOfDirectory(atPath: workspace.root.appendingPathComponent("outbox").path).sorted()
        #expect(outbox == ["MST-ALG1-P3", "MST-ALG1-P4", "MST-ENG1-P1A", "MST-ENG1-P1B", "MST-GEO1-P5", "MST-GEO1-P6"].map { "\(summary.runID!)_\($0).xml" })
        #expect(try workspace.sentResults(summary, section: "MST-ENG1-P1A").count == 4)
        #expect(try workspace.sentResults(summary, section: "MST-ENG1-P1B").count == 5)
        #expect(try workspace.sentResults(summary, section: "MST-ALG1-P3") == Self.algebraSent)
        #expect(try workspace.sentResults(summary, section: "MST-GEO1-P5") == Self.algebraSent)
        #expect(try workspace.sentResults(summary, section: "MST-GEO1-P6") == ["canvas-12:604927 active fully graded 3.3", "canvas-5:604927 active fully graded 70"])
        let report = try workspace.report(summary)
        #expect(Set(report.filter { $0["status"] != "success" }.map { $0["rule"]! }) == ["section-not-in-aspire", "test-student", "grade-not-posted"])
    }

    // MARK: validate

    /// `passback validate` reports the findings `run` reports (everything but what the ledger
    /// decides: sent lines and the window).
    @Test func validateReportsWhatRunReports() throws {
        for stem in ["english-14-names", "algebra-16-paths", "algebra-16"] {
            let workspace = try workspace()
            try dropBundle(stem, into: workspace)
            let summary = try workspace.run(at: Self.firstRun)
            let fromRun = try workspace.report(summary).filter { $0["status"] != "success" }
                .map { "\($0["rule"]!) \($0["section_sis_id"]!) \($0["canvas_assignment_id"]!) \($0["student_sis_id"]!) \($0["count"]!)" }

            let folder = try CommandFolder()
            for name in ["\(stem).gradebook.csv", "\(stem).canvas.json", "aspire-2020-q1.categories.csv"] {
                try FileManager.default.copyItem(at: Fixture.url("canvas-real/\(name)"), to: folder.url.appendingPathComponent(name))
            }
            var settings = Settings()
            settings.timeZone = "America/Denver"
            let findings = try FileValidator(stages: .standard, settings: settings, now: Make.date(Self.firstRun)).validate(
                paths: ["aspire-2020-q1.categories.csv", "\(stem).gradebook.csv", "\(stem).canvas.json"].map { folder.url.appendingPathComponent($0).path }
            )
            let fromValidate = findings.compactMap(\.diagnostic)
                .map { "\($0.code) \($0.subject.sectionSISID ?? "") \($0.subject.canvasAssignmentID ?? "") \($0.subject.studentSISID ?? "") \($0.count.map(String.init) ?? "")" }
            #expect(fromValidate.sorted() == fromRun.sorted(), "\(stem)")
        }
    }
}

/// A temporary folder removed when the value goes.
final class CommandFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
