import Foundation

extension RuleCode {
    /// The two files of a bundle disagree: the gradebook has an assignment the API responses
    /// lack, or a synced assignment has no gradebook column.
    static let bundleMismatch = RuleCode("bundle-mismatch")
}

/// The rules and matching stages for one course bundle: splits the gradebook's students into
/// Aspire sections, checks every assignment in every section against the ``RuleBook``, matches
/// categories, and evaluates score cells. Pure: everything it needs comes in, ``CourseGrades``
/// comes out, so bundles can be checked in parallel and tested alone.
package struct CourseChecker: Sendable {
    var rules: RuleBook
    var matcher: CategoryMatcher
    var settings: RuleSettings
    var evaluator = ScoreEvaluator()

    package init(rules: RuleBook = .standard, matcher: CategoryMatcher, settings: RuleSettings) {
        self.rules = rules
        self.matcher = matcher
        self.settings = settings
    }

    /// The files a bundle came from, as dropped (relative to the inbox), for report rows.
    package struct Sources: Sendable {
        var stem: String
        var gradebookFile: String
        var bundleFile: String

        package init(stem: String, gradebookFile: String, bundleFile: String) {
            self.stem = stem
            self.gradebookFile = gradebookFile
            self.bundleFile = bundleFile
        }
    }

    package func check(bundle: CanvasBundle, gradebook: Gradebook, sources: Sources) -> CourseGrades {
        let course = bundle.course
        let courseSubject = ReportSubject(courseSISID: course.sisCourseID, canvasCourseID: course.id)
        let bundleLocation = SourceLocation(file: sources.bundleFile)

        // Students into sections (spec 2.2: the enrollments, else the gradebook's names).
        let roster = SectionRoster(bundle: bundle, gradebook: gradebook, subject: courseSubject, gradebookFile: sources.gradebookFile, bundleFile: sources.bundleFile)
        var courseRows = roster.diagnostics

        // Assignments: the bundle's, in its order; the gradebook's columns by id.
        var columnIndex: [String: Int] = [:]
        for (index, column) in gradebook.assignmentColumns.enumerated() where columnIndex[column.assignmentID] == nil {
            columnIndex[column.assignmentID] = index
        }
        let bundleAssignments = bundle.assignmentGroups.flatMap { group in group.assignments.map { (group, $0) } }
        let bundleIDs = Set(bundleAssignments.map(\.1.id))
        for column in gradebook.assignmentColumns where !bundleIDs.contains(column.assignmentID) {
            courseRows.append(.error(
                .bundleMismatch,
                "The gradebook has a column for \"\(column.name)\" (\(column.assignmentID)), which the bundle's assignment groups do not list; its grades are not sent. Export both files of the course at the same time.",
                subject: ReportSubject(courseSISID: course.sisCourseID, canvasCourseID: course.id, canvasAssignmentID: column.assignmentID, assignmentName: column.name),
                location: SourceLocation(file: sources.gradebookFile, line: 1)
            ))
        }
        // Synced, published assignments that the gradebook lacks: grades unknown, nothing deleted,
        // and held (their grades go out in full once the column is back).
        let missingColumns = bundleAssignments.filter { $0.1.postToSIS && $0.1.published && columnIndex[$0.1.id] == nil }.map(\.1)

        // One submission per (assignment, Canvas user), when the bundle has them.
        var submissions: [String: CanvasSubmission] = [:]
        if !bundle.submissions.isEmpty {
            submissions.reserveCapacity(bundle.submissions.count)
            for submission in bundle.submissions {
                submissions[submission.assignmentID + ":" + submission.userID] = submission
            }
        }

        var sections: [SectionGrades] = []
        for section in bundle.sections {
            let members = roster.members[section.id] ?? []
            switch AspireSectionRule().check(section, students: members.count, subject: courseSubject, location: bundleLocation) {
            case .notPassedBack(let row):
                if let row { courseRows.append(row) }
            case .aspire(let sisSectionID):
                var grades = checkSection(
                    section: section, sisSectionID: sisSectionID, students: members.map { roster.students[$0] }, bundle: bundle,
                    assignments: bundleAssignments, columnIndex: columnIndex, submissions: submissions, gradebook: gradebook, sources: sources
                )
                grades.heldLineItems += missingColumns.map { "canvas-\($0.id)" }
                sections.append(grades)
            }
        }

        for assignment in missingColumns {
            courseRows.append(.warning(
                .bundleMismatch,
                "The gradebook has no column for \"\(assignment.name)\" (\(assignment.id)); none of its grades are sent or deleted. Export both files of the course at the same time.",
                subject: ReportSubject(courseSISID: course.sisCourseID, canvasCourseID: course.id, canvasAssignmentID: assignment.id, assignmentName: assignment.name),
                location: SourceLocation(file: sources.gradebookFile, line: 1)
            ))
        }
        return CourseGrades(diagnostics: courseRows + roster.testStudentRows, sections: sections)
    }

    private func checkSection(
        section: CanvasSection, sisSectionID: String, students roster: [GradebookStudent], bundle: CanvasBundle,
        assignments: [(CanvasAssignmentGroup, CanvasAssignment)], columnIndex: [String: Int], submissions: [String: CanvasSubmission],
        gradebook: Gradebook, sources: Sources
    ) -> SectionGrades {
        let course = bundle.course
        let request = SyncRequestKey(bundleStem: sources.stem, courseSISID: course.sisCourseID, canvasCourseID: course.id, sectionSISID: sisSectionID, canvasSectionID: section.id)
        let term = course.sisTermID ?? ""
        let schoolID = course.sisTermID.flatMap { matcher.catalog.categories(term: $0, section: sisSectionID).first?.schoolID }
        var result = SectionGrades(request: request, termSourcedID: term, schoolID: schoolID)
        let sectionSubject = ReportSubject(courseSISID: course.sisCourseID, sectionSISID: sisSectionID, canvasCourseID: course.id)

        // Students who can be passed back.
        var students: [GradebookStudent] = []
        for student in roster {
            var subject = sectionSubject
            subject.studentSISID = student.sisUserID.map(XMLCharacters.sanitized)
            if let row = StudentIdentityRule().check(student, subject: subject, location: SourceLocation(file: sources.gradebookFile, line: student.line)) {
                result.diagnostics.append(row)
            } else {
                students.append(student)
            }
        }
        let sectionUserIDs = Set(roster.map(\.canvasUserID))
        let today = settings.calendar.localDate(of: settings.now)
        let posting = PostedGradeRule(sendUnpostedGrades: settings.sendUnpostedGrades)

        var matches: [String: CategoryMatch] = [:]  // per assignment group (id, source id, name): the same for its assignments
        for (group, assignment) in assignments {
            let schedule = SectionSchedule.resolve(assignment: assignment, section: section, sectionStudents: sectionUserIDs, calendar: settings.calendar)
            guard schedule.isAssigned else { continue }
            let category: CategoryMatch
            let groupKey = group.id + "\u{0}" + (group.sisSourceID ?? "") + "\u{0}" + group.name
            if let known = matches[groupKey] {
                category = known
            } else {
                category = matcher.match(group: group, termSourcedID: course.sisTermID, classSourcedID: sisSectionID)
                matches[groupKey] = category
            }
            let context = RuleContext(
                course: course, group: group, assignment: assignment, section: section, category: category,
                schedule: schedule, settings: settings, location: SourceLocation(file: sources.bundleFile)
            )
            let findings = rules.check(context)
            result.diagnostics.append(contentsOf: findings)
            guard findings.isEmpty, let matched = category.matched, let due = schedule.dueAt,
                let column = columnIndex[assignment.id]
            else {
                // Held by a rule (not by the teacher's choice not to sync): released in full later.
                if !findings.isEmpty, assignment.postToSIS { result.heldLineItems.append("canvas-\(assignment.id)") }
                continue
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
            let submissionPrefix = submissions.isEmpty ? "" : assignment.id + ":"
            let points = assignment.pointsPossible
            let unassigned = schedule.unassignedStudents
            var notPosted = 0
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
                        result.diagnostics.append(.error(.invalidScore, message, subject: subject(), location: SourceLocation(file: sources.gradebookFile, line: students[index].line)))
                        current = nil
                        hold = .unreadable
                    case .noGrade:
                        current = nil
                    case .grade(let value, let extraCredit):
                        if posting.holds(submission) {
                            hold = .notPosted
                            notPosted += 1
                        } else if extraCredit, let score = value.score {
                            result.diagnostics.append(.warning(.extraCredit, ScoreEvaluator.extraCreditMessage(score: score, points: points), subject: subject(), location: SourceLocation(file: sources.gradebookFile, line: students[index].line)))
                        }
                        current = value
                    }
                    candidates.append(CandidateResult(studentSISID: sis, current: current, gradedAt: when, scoreDate: scoreDate, hold: hold))
                }
            }
            if notPosted > 0 { result.diagnostics.append(posting.row(count: notPosted, context: context)) }
            result.lineItems.append(CandidateLineItem(lineItem: lineItem, assignmentName: assignment.name, canvasAssignmentID: assignment.id, results: candidates))
        }
        return result
    }
}
