import Foundation

/// A checked course: what concerns it as a whole, and its Aspire sections, each making its
/// line items one at a time (``CourseChecker/begin(bundle:gradebook:sources:)``).
package struct CheckedCourse: Sendable {
    /// Rows about the bundle as a whole (students in unknown sections, mismatched files).
    var diagnostics: [Diagnostic]
    var sections: [SectionCandidates]
}

/// One Aspire section of a checked course, making its candidate line items one at a time, in
/// the bundle's order of assignments: the rules and category matching of an assignment, then
/// every student's score cell evaluated (``next()``). A run hands each line item to the diff and
/// the XML file and drops it before asking for the next, so a section's candidates (one per grade
/// cell: millions in a large course) are never all held (issue 12).
///
/// The rows found (rules, unreadable cells, students without SIS ids) gather in ``diagnostics``
/// in the order found, and the line items a rule holds back in ``heldLineItems``: both are
/// complete once ``next()`` has returned `nil`.
package struct SectionCandidates: Sendable {
    /// What every section of the course shares.
    struct Course: Sendable {
        var checker: CourseChecker
        var bundle: CanvasBundle
        var gradebook: Gradebook
        var sources: CourseChecker.Sources
        /// The bundle's assignments, in its order, with their groups.
        var assignments: [(CanvasAssignmentGroup, CanvasAssignment)]
        /// Gradebook column by assignment id.
        var columnIndex: [String: Int]
        /// One submission per `<assignment id>:<Canvas user id>`, when the bundle has them.
        var submissions: [String: CanvasSubmission]
    }

    let request: SyncRequestKey
    let termSourcedID: String
    /// The school, from the section's Aspire categories; `nil` when none is known.
    let schoolID: String?
    /// Rule rows, bad cells, students without SIS ids: in the order found so far.
    private(set) var diagnostics: [Diagnostic] = []
    /// Line items held back by a rule (so far), then those whose gradebook column is missing.
    var heldLineItems: [String] { ruleHeldLineItems + missingColumns }

    private let course: Course
    private let section: CanvasSection
    private let sisSectionID: String
    /// Students who can be passed back, in the gradebook's order.
    private var students: [GradebookStudent] = []
    private let sectionUserIDs: Set<String>
    private let today: LocalDate
    private let missingColumns: [String]
    private var ruleHeldLineItems: [String] = []
    /// Per assignment group (id, source id, name): its match, the same for all its assignments.
    private var matches: [String: CategoryMatch] = [:]
    /// The next assignment to look at.
    private var position = 0

    init(course: Course, section: CanvasSection, sisSectionID: String, students roster: [GradebookStudent], missingColumns: [String]) {
        let canvas = course.bundle.course
        let checker = course.checker
        self.course = course
        self.section = section
        self.sisSectionID = sisSectionID
        self.missingColumns = missingColumns
        request = SyncRequestKey(
            bundleStem: course.sources.stem, courseSISID: canvas.sisCourseID, canvasCourseID: canvas.id, sectionSISID: sisSectionID, canvasSectionID: section.id)
        termSourcedID = canvas.sisTermID ?? ""
        schoolID = canvas.sisTermID.flatMap { checker.matcher.catalog.categories(term: $0, section: sisSectionID).first?.schoolID }
        let sectionSubject = ReportSubject(courseSISID: canvas.sisCourseID, sectionSISID: sisSectionID, canvasCourseID: canvas.id)
        for student in roster {
            var subject = sectionSubject
            subject.studentSISID = student.sisUserID.map(XMLCharacters.sanitized)
            if let row = StudentIdentityRule().check(student, subject: subject, location: SourceLocation(file: course.sources.gradebookFile, line: student.line)) {
                diagnostics.append(row)
            } else {
                students.append(student)
            }
        }
        sectionUserIDs = Set(roster.map(\.canvasUserID))
        today = checker.settings.calendar.localDate(of: checker.settings.now)
    }

    /// The next line item that passes every rule, with every student's current grade; `nil`
    /// after the last.
    mutating func next() -> CandidateLineItem? {
        while position < course.assignments.count {
            let (group, assignment) = course.assignments[position]
            position += 1
            if let item = candidate(group, assignment) { return item }
        }
        return nil
    }

    private mutating func candidate(_ group: CanvasAssignmentGroup, _ assignment: CanvasAssignment) -> CandidateLineItem? {
        let canvas = course.bundle.course
        let settings = course.checker.settings
        let sources = course.sources
        let schedule = SectionSchedule.resolve(assignment: assignment, section: section, sectionStudents: sectionUserIDs, calendar: settings.calendar)
        guard schedule.isAssigned else { return nil }
        let category: CategoryMatch
        let groupKey = group.id + "\u{0}" + (group.sisSourceID ?? "") + "\u{0}" + group.name
        if let known = matches[groupKey] {
            category = known
        } else {
            category = course.checker.matcher.match(group: group, termSourcedID: canvas.sisTermID, classSourcedID: sisSectionID)
            matches[groupKey] = category
        }
        let context = RuleContext(
            course: canvas, group: group, assignment: assignment, section: section, category: category,
            schedule: schedule, settings: settings, location: SourceLocation(file: sources.bundleFile)
        )
        let findings = course.checker.rules.check(context)
        diagnostics.append(contentsOf: findings)
        guard findings.isEmpty, let matched = category.matched, let due = schedule.dueAt,
            let column = course.columnIndex[assignment.id]
        else {
            // Held by a rule (not by the teacher's choice not to sync): released in full later.
            if !findings.isEmpty, assignment.postToSIS { ruleHeldLineItems.append("canvas-\(assignment.id)") }
            return nil
        }

        let dueDate = settings.calendar.localDate(of: due)
        let assignDate = schedule.unlockAt.map(settings.calendar.localDate(of:)) ?? dueDate
        let lineItem = PassbackLineItem(
            sourcedID: "canvas-\(assignment.id)", title: XMLCharacters.sanitized(assignment.name), categorySourcedID: matched.categorySourcedID,
            assignDate: min(assignDate, dueDate), dueDate: dueDate, resultValueMax: assignment.pointsPossible ?? .zero, results: []
        )
        // Per student: no string is built and nothing is looked up unless it is needed (this
        // loop runs once per grade cell: millions of times a night); result ids are made
        // only for results that go out (`CandidateResult.sourcedID(lineItem:)`). Students
        // are read in place, not copied (a copy retains and releases each of their strings
        // and their cells).
        var candidates: [CandidateResult] = []
        candidates.reserveCapacity(students.count)
        let submissions = course.submissions
        let submissionPrefix = submissions.isEmpty ? "" : assignment.id + ":"
        let points = assignment.pointsPossible
        let unassigned = schedule.unassignedStudents
        let evaluator = course.checker.evaluator
        let posting = PostedGradeRule(sendUnpostedGrades: settings.sendUnpostedGrades)
        let today = today
        var notPosted = 0
        var found: [Diagnostic] = []
        students.withUnsafeBufferPointer { students in
            for index in students.indices {
                guard let sis = students[index].sisUserID else { continue }
                if !unassigned.isEmpty, unassigned.contains(students[index].canvasUserID) { continue }
                func subject() -> ReportSubject {
                    var subject = context.subject
                    subject.studentSISID = sis
                    return subject
                }
                let submission = submissions.isEmpty ? nil : submissions[submissionPrefix + students[index].canvasUserID]
                let when = submission?.gradedAt
                let scoreDate = when.map(settings.calendar.localDate(of:)) ?? today
                let current: GradeValue?
                var hold = CandidateResult.Hold.none
                switch evaluator.evaluate(students[index].cells[column], pointsPossible: points, submission: submission) {
                case .notAssigned:
                    continue
                case .invalid(let message):
                    found.append(.error(.invalidScore, message, subject: subject(), location: SourceLocation(file: sources.gradebookFile, line: students[index].line)))
                    current = nil
                    hold = .unreadable
                case .noGrade:
                    current = nil
                case .grade(let value, let extraCredit):
                    if posting.holds(submission) {
                        hold = .notPosted
                        notPosted += 1
                    } else if extraCredit, let score = value.score {
                        found.append(
                            .warning(
                                .extraCredit, ScoreEvaluator.extraCreditMessage(score: score, points: points), subject: subject(),
                                location: SourceLocation(file: sources.gradebookFile, line: students[index].line)))
                    }
                    current = value
                }
                candidates.append(CandidateResult(studentSISID: sis, current: current, gradedAt: when, scoreDate: scoreDate, hold: hold))
            }
        }
        diagnostics.append(contentsOf: found)
        if notPosted > 0 { diagnostics.append(posting.row(count: notPosted, context: context)) }
        var item = CandidateLineItem(lineItem: lineItem, assignmentName: assignment.name, canvasAssignmentID: assignment.id, results: candidates)
        #if DEBUG
        item.liveness = LiveLineItems.Token(stem: sources.stem)
        #endif
        return item
    }
}
