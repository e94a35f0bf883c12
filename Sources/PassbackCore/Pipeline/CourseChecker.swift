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

    /// Every section's line items at once (tests and the stage benchmark; a run takes them one
    /// at a time from ``begin(bundle:gradebook:sources:)``).
    package func check(bundle: CanvasBundle, gradebook: Gradebook, sources: Sources) -> CourseGrades {
        let course = begin(bundle: bundle, gradebook: gradebook, sources: sources)
        return CourseGrades(
            diagnostics: course.diagnostics,
            sections: course.sections.map { section in
                var section = section
                var lineItems: [CandidateLineItem] = []
                while let item = section.next() { lineItems.append(item) }
                return SectionGrades(
                    request: section.request, termSourcedID: section.termSourcedID, schoolID: section.schoolID, lineItems: lineItems,
                    diagnostics: section.diagnostics, heldLineItems: section.heldLineItems
                )
            })
    }

    /// Checks what concerns the course as a whole (students into sections, the two files
    /// against each other, which sections are Aspire's) and returns each Aspire section ready to
    /// make its line items one at a time: a section's grade cells become candidates only when
    /// the diff asks for the line item (issue 12: a course of millions of cells is never held as
    /// candidates all at once).
    package func begin(bundle: CanvasBundle, gradebook: Gradebook, sources: Sources) -> CheckedCourse {
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
            courseRows.append(
                .error(
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

        let shared = SectionCandidates.Course(
            checker: self, bundle: bundle, gradebook: gradebook, sources: sources, assignments: bundleAssignments,
            columnIndex: columnIndex, submissions: submissions
        )
        var sections: [SectionCandidates] = []
        for section in bundle.sections {
            let members = roster.members[section.id] ?? []
            switch AspireSectionRule().check(section, students: members.count, subject: courseSubject, location: bundleLocation) {
            case .notPassedBack(let row):
                if let row { courseRows.append(row) }
            case .aspire(let sisSectionID):
                sections.append(
                    SectionCandidates(
                        course: shared, section: section, sisSectionID: sisSectionID, students: members.map { roster.students[$0] },
                        missingColumns: missingColumns.map { "canvas-\($0.id)" }
                    ))
            }
        }

        for assignment in missingColumns {
            courseRows.append(
                .warning(
                    .bundleMismatch,
                    "The gradebook has no column for \"\(assignment.name)\" (\(assignment.id)); none of its grades are sent or deleted. Export both files of the course at the same time.",
                    subject: ReportSubject(courseSISID: course.sisCourseID, canvasCourseID: course.id, canvasAssignmentID: assignment.id, assignmentName: assignment.name),
                    location: SourceLocation(file: sources.gradebookFile, line: 1)
                ))
        }
        return CheckedCourse(diagnostics: courseRows + roster.testStudentRows, sections: sections)
    }

}
