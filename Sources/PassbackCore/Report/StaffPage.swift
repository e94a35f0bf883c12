import Foundation
import Mustache

/// One run's page for the staff who review it (`reports/<run id>.html`): is tonight better or
/// worse than last night, which courses have errors, what exactly each teacher must change,
/// which files were rejected and why, which grades are held.
///
/// Successes are only counted, never listed (a district sends ~90,000 line items a night), so
/// the page stays small enough to mail; the CSV beside it has every row. Student ids appear only
/// inside `<details>`, opened on demand.
struct StaffPage: Sendable {
    /// What the page says of the run besides its report rows.
    struct Run: Sendable {
        var overview: Ledger.RunOverview
        /// Sync requests per status, XML files published.
        var requests: [SyncRequestStatus: Int]
        var xmlFiles: Int
        /// Per file to blame of a rejected bundle, the bundle's stem (to name the partner held
        /// with it in quarantine).
        var rejectedBundleStems: [String: String]
    }

    /// The most problems listed under "what to fix"; the rest are counted and left to the CSV.
    /// A bad night of a 2,000-course district has a few thousand; far more means one cause the
    /// first ones show.
    static let maximumProblemsListed = 5_000
    /// The most bytes of a page: small enough to mail (under 2 MB).
    static let maximumPageBytes = 1_950_000
    /// The most held assignments listed per course, courses listed per held rule, and rejected
    /// files listed (all are counted), so that what to fix keeps most of the page.
    static let maximumHeldItemsPerCourse = 20
    static let maximumHeldCoursesPerRule = 100
    static let maximumRejectedListed = 500

    let run: Run
    let digest: StaffReportDigest
    let trend: TrendChart
    let format: StaffPageFormat
    /// When the page was written (its footer).
    let writtenAt: Date

    /// The courses of "what to fix", the most errors first, and how many of each one's problems
    /// are listed (``maximumProblemsListed`` in all).
    private let fixes: [(key: String, course: StaffReportDigest.CourseFixes, listed: Int)]
    private let problemsLeftOut: Int

    init(run: Run, digest: StaffReportDigest, trend: TrendChart, format: StaffPageFormat, writtenAt: Date) {
        self.run = run
        self.digest = digest
        self.trend = trend
        self.format = format
        self.writtenAt = writtenAt
        let ordered = digest.courses.pairs.enumerated().sorted { a, b in
            let (ca, cb) = (a.element.1, b.element.1)
            if ca.errors != cb.errors { return ca.errors > cb.errors }
            if ca.warnings != cb.warnings { return ca.warnings > cb.warnings }
            return a.offset < b.offset
        }.map(\.element)
        var budget = Self.maximumProblemsListed
        var leftOut = 0
        var fixes: [(key: String, course: StaffReportDigest.CourseFixes, listed: Int)] = []
        for (key, course) in ordered {
            let problems = course.sections.values.reduce(0) { $0 + $1.assignments.values.reduce(0) { $0 + $1.problems.count } }
            let listed = min(problems, budget)
            budget -= listed
            leftOut += problems - listed
            if listed > 0 { fixes.append((key, course, listed)) }
        }
        self.fixes = fixes
        problemsLeftOut = leftOut
    }

    var runID: String { run.overview.id }

    /// The page, as HTML text.
    func html() -> String {
        renderParts().joined()
    }

    /// The page in parts to write one after the other: the top, the courses of "what to fix"
    /// (rendered in groups on several threads for a large night), the end of "what to fix" and
    /// the rest. Each part is the output of templates of ``StaffPageTemplates``, so every value is
    /// escaped by them.
    ///
    /// Courses are listed while the page stays within ``maximumPageBytes``; the ones after are
    /// named in a note (the CSV has their rows), so the page stays small enough to mail.
    func renderParts(workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> [String] {
        let library = StaffPageTemplates.library
        let values = StaffPageValues.prepared(templateValues())
        let head = library.render(values, withTemplate: "runHead") ?? ""
        let tail = library.render(values, withTemplate: "runTail") ?? ""
        func fixesEnd(_ note: [String]) -> String {
            library.render(StaffPageValues.prepared(["hasFixes": !fixes.isEmpty, "fixesLeftOut": note] as [String: Any]), withTemplate: "fixesEnd") ?? ""
        }
        // The rest, with room for the longest note (every course named).
        let rest =
            fixesEnd([]).utf8.count + tail.utf8.count
            + fixes.reduce(400) { $0 + StaffPageEscaping.escape(Self.courseLabel(sis: $1.course.courseSISID, canvas: $1.course.canvasCourseID)).utf8.count + 2 }
        let courses = renderCourses(workers: workers, library: library)
        var kept = 0
        var bytes = head.utf8.count + rest
        for part in courses {
            guard bytes + part.utf8.count <= Self.maximumPageBytes else { break }
            bytes += part.utf8.count
            kept += 1
        }
        return [head] + courses.prefix(kept) + [fixesEnd(leftOutNote(coursesKept: kept)), tail]
    }

    /// Each course of "what to fix" rendered, in order.
    private func renderCourses(workers: Int, library: MustacheLibrary) -> [String] {
        let groupSize = 100
        let groups = (fixes.count + groupSize - 1) / groupSize
        let pieces = RenderedPieces(library: library)
        let render: @Sendable (Int) -> [String] = { [self] group in
            (group * groupSize..<min(fixes.count, (group + 1) * groupSize)).map { number in
                renderCourse(number, library: library, pieces: pieces)
            }
        }
        guard groups > 1, workers > 1 else { return (0..<groups).flatMap(render) }
        let parts = RenderedGroups(count: groups)
        DispatchQueue.concurrentPerform(iterations: groups) { group in parts.set(group, render(group)) }
        return parts.all
    }

    /// What "what to fix" leaves to the CSV: problems past ``maximumProblemsListed``, and the
    /// courses past ``maximumPageBytes``, named.
    private func leftOutNote(coursesKept: Int) -> [String] {
        let dropped = fixes.dropFirst(coursesKept)
        let problems = problemsLeftOut + dropped.reduce(0) { $0 + $1.listed }
        guard problems > 0 else { return [] }
        var note =
            "\(StaffPageFormat.count(problems, "more problem")) \(problems == 1 ? "is" : "are") not listed here, to keep this page small enough to mail; \(csvPath) has every row."
        if !dropped.isEmpty {
            note += " \(dropped.count == 1 ? "The course" : "The \(StaffPageFormat.number(dropped.count)) courses") not listed: "
            note += dropped.map { Self.courseLabel(sis: $0.course.courseSISID, canvas: $0.course.canvasCourseID) }.joined(separator: ", ") + "."
        }
        return [note]
    }

    /// Everything the templates show, as text already worded and formatted (they only place it).
    func templateValues() -> [String: Any] {
        let overview = run.overview
        let verdict = StaffPageFormat.verdict(overview.isFinished ? overview.exitCode : nil)
        var values: [String: Any] = [
            "runID": runID,
            "verdictWord": verdict.word,
            "verdictStyle": verdict.style,
            "verdictText": verdictText,
            "facts": facts,
            "tiles": tiles,
            "statusRows": statusRows,
            "rowTotal": StaffPageFormat.number(digest.rowCount),
            "hasRules": !digest.rules.isEmpty,
            "ruleRows": ruleRows,
            "trend": trend.templateValues(),
            "footer":
                "Written from the ledger by passback \(PassbackVersion.current) on \(format.dateTime(writtenAt)). Every row is in \(csvPath). Student ids appear only under “Show”; this page holds student records: keep it as private as the CSV.",
        ]
        values.merge(fixValues) { a, _ in a }
        values.merge(rejectedValues) { a, _ in a }
        values.merge(heldValues) { a, _ in a }
        return values
    }

    var csvPath: String { "reports/\(runID).csv" }

    // MARK: The run

    private var errorRows: Int { digest.statusCounts["error"] ?? 0 }
    private var warningRows: Int { digest.statusCounts["warning"] ?? 0 }

    private var verdictText: String {
        let sent = "\(StaffPageFormat.count(digest.gradesSent, "grade")) sent in \(StaffPageFormat.count(digest.lineItemsSent, "line item"))"
        guard run.overview.isFinished else {
            return "The run stopped before it finished; the next passback run finishes it and writes this page again. So far: \(sent)."
        }
        var needs: [String] = []
        if errorRows > 0 { needs.append("\(StaffPageFormat.count(errorRows, "error")) in \(StaffPageFormat.count(digest.courses.count, "course"))") }
        if !digest.rejectedFiles.isEmpty { needs.append(StaffPageFormat.count(digest.rejectedFiles.count, "rejected file")) }
        if needs.isEmpty {
            return "Nothing needs a person: \(sent)."
        }
        return "\(needs.joined(separator: " and ")) need a person; \(sent)."
    }

    private var facts: [[String: Any]] {
        let overview = run.overview
        var facts: [[String: Any]] = []
        func add(_ term: String, _ detail: String) { facts.append(["term": term, "detail": detail]) }
        add("Run", runID)
        add("Mode", StaffPageFormat.mode(overview.mode))
        add("Clock", "\(format.dateTime(overview.clock)) (\(format.timeZone.identifier)), the time the run judged “now” by")
        if let started = overview.startedAt { add("Started", format.dateTime(started)) }
        if overview.isFinished, let finished = overview.finishedAt {
            add("Finished", format.dateTime(finished))
            if let started = overview.startedAt { add("Duration", StaffPageFormat.duration(finished.timeIntervalSince(started))) }
        } else if !overview.isFinished {
            add("Finished", "not yet")
        }
        if let files = overview.files {
            add(
                "Files",
                "\(StaffPageFormat.number(files.claimed)) claimed from the inbox, \(StaffPageFormat.number(files.rejected)) rejected, \(StaffPageFormat.number(files.waiting)) waiting (not settled yet, or half a course)"
            )
        } else {
            add("Files", "not recorded (this run is older than the staff page)")
        }
        let requests = SyncRequestStatus.allCases.compactMap { status in run.requests[status].map { "\(StaffPageFormat.number($0)) \(status.rawValue)" } }
        add("Sync requests", requests.isEmpty ? "none" : requests.joined(separator: ", ") + " (one per course and Aspire section)")
        add("XML files", "\(StaffPageFormat.count(run.xmlFiles, "file")) for Aspire in outbox/")
        add("Exit status", StaffPageFormat.exitStatus(overview.isFinished ? overview.exitCode : nil))
        add("Report", "\(csvPath): every row, for Excel")
        return facts
    }

    private var heldGrades: (rows: Int, grades: Int) {
        digest.held.values.reduce((0, 0)) { ($0.0 + $1.rows, $0.1 + $1.countSum) }
    }

    private var tiles: [[String: Any]] {
        let held = heldGrades
        return [
            ["tileStyle": "sent", "tileValue": StaffPageFormat.number(digest.gradesSent), "tileLabel": "grades sent"],
            ["tileStyle": "success", "tileValue": StaffPageFormat.number(digest.lineItemsSent), "tileLabel": "line items sent"],
            ["tileStyle": "error", "tileValue": StaffPageFormat.number(errorRows), "tileLabel": errorRows == 1 ? "error" : "errors"],
            ["tileStyle": "warning", "tileValue": StaffPageFormat.number(warningRows), "tileLabel": warningRows == 1 ? "warning" : "warnings"],
            [
                "tileStyle": "error", "tileValue": StaffPageFormat.number(digest.rejectedFiles.count),
                "tileLabel": digest.rejectedFiles.count == 1 ? "rejected file" : "rejected files",
            ],
            [
                "tileStyle": "held", "tileValue": StaffPageFormat.number(held.rows),
                "tileLabel": (held.rows == 1 ? "assignment held" : "assignments held") + (held.grades > 0 ? " (\(StaffPageFormat.count(held.grades, "grade")))" : ""),
            ],
        ]
    }

    static func statusStyle(_ status: String) -> String {
        ["success", "error", "warning", "skipped"].contains(status) ? status : "other"
    }

    private static let statusMeanings = [
        "success": "a line item sent to Aspire; the count column has its grades",
        "error": "a person must fix something; the grades concerned were not sent",
        "warning": "worth a look: sent anyway, or held until something changes",
        "skipped": "not sent, on purpose (not set to sync, Test Student, a duplicate, ...)",
    ]

    private var statusRows: [[String: Any]] {
        let known = ["success", "error", "warning", "skipped"]
        let others = digest.statusCounts.keys.filter { !known.contains($0) }.sorted()
        return (known + others).map { status in
            [
                "status": status, "statusStyle": Self.statusStyle(status), "meaning": Self.statusMeanings[status] ?? "",
                "rows": StaffPageFormat.number(digest.statusCounts[status] ?? 0),
            ]
        }
    }

    private var ruleRows: [[String: Any]] {
        let order = ["error": 0, "warning": 1, "skipped": 2, "success": 3]
        let sorted = digest.rules.pairs.sorted { a, b in
            let (sa, sb) = (order[a.0.status] ?? 4, order[b.0.status] ?? 4)
            if sa != sb { return sa < sb }
            if a.1.rows != b.1.rows { return a.1.rows > b.1.rows }
            return a.0.rule < b.0.rule
        }
        return sorted.map { key, total in
            [
                "rule": key.rule.isEmpty ? "(none: sent)" : key.rule, "status": key.status, "statusStyle": Self.statusStyle(key.status),
                "rows": StaffPageFormat.number(total.rows), "courses": StaffPageFormat.number(total.courses.count),
                "counted": total.countedRows > 0 ? StaffPageFormat.number(total.countSum) : "",
            ]
        }
    }

    // MARK: What to fix

    static func courseLabel(sis: String, canvas: String) -> String {
        if !sis.isEmpty { return sis }
        if !canvas.isEmpty { return "Canvas course \(canvas) (no SIS id)" }
        return "no course (a file)"
    }

    /// Courses in the table at the top of "what to fix" (all of them follow below, in the same
    /// order).
    static let courseIndexLength = 50

    private var fixValues: [String: Any] {
        guard !fixes.isEmpty else { return ["hasFixes": false] }
        let index = fixes.prefix(Self.courseIndexLength).enumerated().map { number, fix -> [String: Any] in
            [
                "courseNumber": String(number + 1),
                "courseLabel": Self.courseLabel(sis: fix.course.courseSISID, canvas: fix.course.canvasCourseID),
                "courseErrors": StaffPageFormat.number(fix.course.errors), "courseWarnings": StaffPageFormat.number(fix.course.warnings),
                "courseGradesSent": StaffPageFormat.number(digest.sent(inCourse: fix.key).grades),
            ]
        }
        let errors = digest.courses.values.reduce(0) { $0 + $1.errors }
        let warnings = digest.courses.values.reduce(0) { $0 + $1.warnings }
        let intro =
            "\(StaffPageFormat.count(errors, "error")) and \(StaffPageFormat.count(warnings, "warning")) in \(StaffPageFormat.count(digest.courses.count, "course")), grouped by course, Aspire section and assignment, the courses with the most errors first. Each problem says what to change in Canvas; the student ids open on demand. An error holds back the grades it concerns; a warning is worth a look."
        var values: [String: Any] = [
            "hasFixes": true,
            "fixIntro": intro,
            "courseIndexCaption": fixes.count > index.count
                ? "The \(index.count) courses with the most errors (all \(StaffPageFormat.number(fixes.count)) follow below, in this order)"
                : "Courses with something to fix, the most errors first",
            "courseIndex": index,
            "courseIndexRest": [Any](),
        ]
        if fixes.count > index.count {
            values["courseIndexRest"] = ["\(StaffPageFormat.count(fixes.count - index.count, "more course")) below; search the page for a course's SIS id."]
        }
        return values
    }

    /// One course of "what to fix", rendered: its row group, then its sections, each with its
    /// problems by assignment, up to the number of problems the course may list.
    private func renderCourse(_ number: Int, library: MustacheLibrary, pieces: RenderedPieces) -> String {
        let (key, course, listed) = fixes[number]
        let templates = StaffPageTemplates.fixes
        let sent = digest.sent(inCourse: key)
        var meta: [String] = []
        if !course.canvasCourseID.isEmpty, !course.courseSISID.isEmpty { meta.append("Canvas course \(course.canvasCourseID)") }
        if !course.files.isEmpty { meta.append(course.files.joined(separator: ", ")) }
        meta.append(
            [
                course.errors > 0 ? StaffPageFormat.count(course.errors, "error") : nil,
                course.warnings > 0 ? StaffPageFormat.count(course.warnings, "warning") : nil,
            ].compactMap { $0 }.joined(separator: ", "))
        meta.append("\(StaffPageFormat.count(sent.grades, "grade")) sent (\(StaffPageFormat.count(sent.lineItems, "line item")))")
        let heading = StaffPageValues.Row([
            "courseNumber": String(number + 1), "courseLabel": Self.courseLabel(sis: course.courseSISID, canvas: course.canvasCourseID),
            "courseMeta": meta.joined(separator: " · "),
        ])
        var html = templates.course.render(heading, library: library)

        var budget = listed
        // Sections with the same problems (a course's sections share its assignments) are shown
        // once, under all their ids.
        var groups: [(ids: [String], section: StaffReportDigest.SectionFixes)] = []
        for section in course.sections.values {
            if let same = groups.firstIndex(where: { !$0.section.sectionSISID.isEmpty && $0.section.assignments == section.assignments }), !section.sectionSISID.isEmpty {
                groups[same].ids.append(section.sectionSISID)
            } else {
                groups.append(([section.sectionSISID], section))
            }
        }
        for (ids, section) in groups where budget > 0 {
            var rows = ""
            for assignment in section.assignments.values where budget > 0 {
                let hasAssignment = !assignment.canvasAssignmentID.isEmpty || !assignment.name.isEmpty
                let problems = Array(assignment.problems.pairs.prefix(budget))
                budget -= problems.count
                // The assignment's name heads its first row and spans its others.
                let start = StaffPageValues.Row(["assignmentLabel": Self.assignmentLabel(assignment), "span": String(problems.count)])
                let head: FixRowHead = problems.count > 1 ? .spanning : .single
                for (offset, (problemKey, problem)) in problems.enumerated() {
                    rows += offset == 0 ? templates.rowStarts[head]?.render(start, library: library) ?? "" : pieces.plainRowStart
                    let cells = problemCells(problemKey, problem, hasAssignment: hasAssignment)
                    rows += pieces.problemCells(cells) { templates.problemCells[cells.form]?.render(StaffPageValues.ProblemCells(cells), library: library) ?? "" }
                }
            }
            guard !rows.isEmpty else { continue }
            let label =
                ids.count > 1
                ? "Sections \(ids.joined(separator: ", ")) (the same problems in each)"
                : section.sectionSISID.isEmpty ? "The whole course (not one Aspire section)" : "Section \(section.sectionSISID)"
            html += templates.section.render(StaffPageValues.Row(["sectionLabel": label]), library: library)
            html += rows
            html += pieces.sectionEnd
        }
        return html
    }

    static func assignmentLabel(_ assignment: StaffReportDigest.AssignmentFixes) -> String {
        switch (assignment.name.isEmpty, assignment.canvasAssignmentID.isEmpty) {
        case (false, false): "\(assignment.name) (Canvas \(assignment.canvasAssignmentID))"
        case (false, true): assignment.name
        case (true, false): "Canvas assignment \(assignment.canvasAssignmentID)"
        case (true, true): "Not one assignment"
        }
    }

    /// What a problem's cells show: the problem, the CSV's message, whom it concerns.
    private func problemCells(_ key: StaffReportDigest.ProblemKey, _ problem: StaffReportDigest.Problem, hasAssignment: Bool) -> StaffPageValues.ProblemCells.Content {
        var who: String
        var ids: (label: String, list: String)?
        if !problem.students.isEmpty {
            who = StaffPageFormat.count(problem.students.count, "student")
            ids = (
                problem.students.count == 1 ? "the student id" : "the \(StaffPageFormat.number(problem.students.count)) student ids",
                problem.students.joined(separator: ", ")
            )
        } else if !problem.lines.isEmpty {
            who =
                problem.lines.count <= 5
                ? (problem.lines.count == 1 ? "line " : "lines ") + problem.lines.joined(separator: ", ") + " of the gradebook"
                : StaffPageFormat.count(problem.lines.count, "gradebook line")
            if problem.lines.count > 5 {
                ids = ("the lines", problem.lines.joined(separator: ", "))
            }
        } else if problem.countSum > 0 {
            who = StaffPageFormat.count(problem.countSum, "grade")
        } else if problem.rows > 1 {
            who = StaffPageFormat.count(problem.rows, "row")
        } else {
            who = hasAssignment ? "whole assignment" : "whole course"
        }
        // The digest lists errors and warnings only under "what to fix".
        let status: ProblemCellsForm.Status = key.status == "warning" ? .warning : .error
        return StaffPageValues.ProblemCells.Content(
            form: ProblemCellsForm(status: status, hasIDs: ids != nil), rule: key.rule.isEmpty ? "(no rule)" : key.rule, message: key.message, who: who,
            idsLabel: ids?.label ?? "", ids: ids?.list ?? "")
    }

    // MARK: Rejected files

    private var rejectedValues: [String: Any] {
        guard !digest.rejectedFiles.isEmpty else { return ["hasRejected": false] }
        let folder = "quarantine/\(runID)/"
        var partners = 0
        let rows = digest.rejectedFiles.prefix(Self.maximumRejectedListed).map { record -> [String: Any] in
            var partner: Any = false
            if let stem = run.rejectedBundleStems[record.sourceFile], let other = Self.partner(of: record.sourceFile, stem: stem) {
                partner = other
                partners += 1
            }
            let name = (record.sourceFile as NSString).lastPathComponent
            return [
                "file": record.sourceFile, "rule": record.rule.isEmpty ? "(no rule)" : record.rule,
                "line": record.sourceLine.isEmpty ? false as Any : record.sourceLine, "message": record.message,
                "quarantineFolder": folder + String(record.sourceFile.dropLast(name.count)), "reasonName": InputMover.reasonName(for: name),
                "partner": partner,
            ]
        }
        var intro = "\(StaffPageFormat.count(digest.rejectedFiles.count, "file")) went to quarantine"
        if partners > 0 { intro += ", with \(StaffPageFormat.count(partners, "partner file")) held with them (a course's two files go together)" }
        intro +=
            ". Nothing in them was sent. Fix the file (the reason file beside it says what is wrong, and where) and drop it into the inbox again; nothing in quarantine is picked up by itself."
        if digest.rejectedFiles.count > rows.count {
            intro += " The first \(StaffPageFormat.number(rows.count)) are listed here; \(csvPath) has them all."
        }
        return ["hasRejected": true, "rejectedIntro": intro, "rejectedFiles": Array(rows)]
    }

    /// The other file of a rejected bundle: `<stem>.canvas.json` for a gradebook, and back.
    static func partner(of file: String, stem: String) -> String? {
        let lowered = file.lowercased()
        if lowered.hasSuffix(".gradebook.csv") { return stem + ".canvas.json" }
        if lowered.hasSuffix(".canvas.json") { return stem + ".gradebook.csv" }
        return nil
    }

    // MARK: Grades held

    private static let heldTitles = [
        "category-pending-verification": ("Category not verified in Aspire yet", "Sent by the first run after Aspire verifies the category."),
        "grade-not-posted": ("Grade not posted in Canvas yet", "Sent by the first run after the teacher posts the grades in Canvas."),
        "outside-window": (
            "Changed outside the incremental window", "An incremental run does not send a change older than the window; run passback run --bulk for these courses to send them."
        ),
    ]

    private var heldValues: [String: Any] {
        guard !digest.held.isEmpty else { return ["hasHeld": false] }
        let held = heldGrades
        var rules: [[String: Any]] = []
        for rule in StaffReportDigest.heldRules {
            guard let group = digest.held[rule] else { continue }
            let (title, explanation) = Self.heldTitles[rule] ?? (rule, "")
            var summary = "\(StaffPageFormat.count(group.rows, "row")) (an assignment in a section each)"
            if group.countedRows > 0 { summary += ", \(StaffPageFormat.count(group.countSum, "grade")) held (the count column)" }
            if group.countedRows < group.rows { summary += "; \(StaffPageFormat.count(group.rows - group.countedRows, "row")) without a count hold the assignment's grades" }
            summary += ". " + explanation
            if group.courses.count > Self.maximumHeldCoursesPerRule {
                summary += " The \(Self.maximumHeldCoursesPerRule) courses with the most rows are listed; \(csvPath) has them all."
            }
            let listed = group.courses.values.enumerated().sorted { ($0.element.rows, -$0.offset) > ($1.element.rows, -$1.offset) }.prefix(Self.maximumHeldCoursesPerRule).sorted {
                $0.offset < $1.offset
            }.map(\.element)
            let courses = listed.map { course -> [String: Any] in
                var items = course.items.prefix(Self.maximumHeldItemsPerCourse).map { item -> String in
                    var text = item.sectionSISID.isEmpty ? "" : "Section \(item.sectionSISID) · "
                    text += item.assignmentName.isEmpty ? (item.canvasAssignmentID.isEmpty ? "the course" : "Canvas assignment \(item.canvasAssignmentID)") : item.assignmentName
                    if let count = item.count { text += ": \(StaffPageFormat.count(count, "grade"))" }
                    return text
                }
                if course.items.count > Self.maximumHeldItemsPerCourse {
                    items.append("and \(StaffPageFormat.number(course.items.count - Self.maximumHeldItemsPerCourse)) more in \(csvPath)")
                }
                return [
                    "heldCourseLabel": Self.courseLabel(sis: course.courseSISID, canvas: course.canvasCourseID),
                    "heldSections": StaffPageFormat.number(course.sections.count),
                    "heldRows": StaffPageFormat.number(course.rows),
                    "heldGrades": course.countedRows > 0 ? StaffPageFormat.number(course.countSum) : "not counted",
                    "heldItemsLabel": StaffPageFormat.count(course.items.count, "assignment"),
                    "heldItems": items,
                ]
            }
            rules.append(["heldTitle": title, "heldRule": rule, "heldSummary": summary, "heldCourses": courses])
        }
        let what =
            held.grades > 0
            ? "\(StaffPageFormat.count(held.grades, "grade")) in \(StaffPageFormat.count(held.rows, "row")) (an assignment in a section each) were"
            : "\(StaffPageFormat.count(held.rows, "assignment")) in a section \(held.rows == 1 ? "was" : "were")"
        let intro = "\(what) held back on purpose: they go out by themselves once the reason is gone."
        return ["hasHeld": true, "heldIntro": intro, "heldRules": rules]
    }
}

/// Courses rendered on several threads, kept by group in order.
private final class RenderedGroups: @unchecked Sendable {
    // @unchecked: `groups` is touched only under `lock`.
    private let lock = NSLock()
    private var groups: [[String]]

    init(count: Int) {
        groups = Array(repeating: [], count: count)
    }

    func set(_ index: Int, _ rendered: [String]) {
        lock.withLock { groups[index] = rendered }
    }

    var all: [String] { lock.withLock { groups.flatMap { $0 } } }
}

/// Parts of "what to fix" rendered once per page and used again, by every thread that renders
/// courses: the constant ones, and a problem's cells for each text they show (a night repeats
/// the same rule and message for many assignments; with student ids the cells are rendered for
/// their own row). Each is the output of its template, so what is used again was escaped by it.
private final class RenderedPieces: @unchecked Sendable {
    // @unchecked: `cells` is touched only under `lock`; the rest is constant.
    private let lock = NSLock()
    private var cells: [StaffPageValues.ProblemCells.Content: String] = [:]
    let sectionEnd: String
    let plainRowStart: String

    init(library: MustacheLibrary) {
        let templates = StaffPageTemplates.fixes
        let nothing = [String: Any]()
        sectionEnd = templates.sectionEnd.render(nothing, library: library)
        plainRowStart = templates.rowStarts[.none]?.render(nothing, library: library) ?? ""
    }

    /// The cells showing `content`: rendered by `render` the first time.
    func problemCells(_ content: StaffPageValues.ProblemCells.Content, render: () -> String) -> String {
        guard !content.form.hasIDs else { return render() }
        if let known = lock.withLock({ cells[content] }) { return known }
        let rendered = render()
        lock.withLock { cells[content] = rendered }
        return rendered
    }
}
