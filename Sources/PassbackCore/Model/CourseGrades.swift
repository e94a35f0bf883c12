import Foundation

/// What the rules and matching stages make of one course bundle: per Aspire section, the line
/// items that may be sent with every student's current grade, and the rows to report. The diff
/// stage (``ResultSelector``) then picks what goes out in this run.
public struct CourseGrades: Sendable {
    /// Rows about the bundle as a whole (students in unknown sections, mismatched files).
    public var diagnostics: [Diagnostic]
    public var sections: [SectionGrades]

    public init(diagnostics: [Diagnostic] = [], sections: [SectionGrades] = []) {
        self.diagnostics = diagnostics
        self.sections = sections
    }
}

/// Identifies a sync request before it has an id: one course bundle, one Aspire section.
public struct SyncRequestKey: Sendable, Hashable {
    public var bundleStem: String
    public var courseSISID: String?
    public var canvasCourseID: String
    public var sectionSISID: String
    public var canvasSectionID: String

    public init(bundleStem: String, courseSISID: String?, canvasCourseID: String, sectionSISID: String, canvasSectionID: String) {
        self.bundleStem = bundleStem
        self.courseSISID = courseSISID
        self.canvasCourseID = canvasCourseID
        self.sectionSISID = sectionSISID
        self.canvasSectionID = canvasSectionID
    }
}

/// One Aspire section of a course bundle: the future sync request.
public struct SectionGrades: Sendable {
    public var request: SyncRequestKey
    public var termSourcedID: String
    /// The school, from the section's Aspire categories; `nil` when none is known.
    public var schoolID: String?
    public var lineItems: [CandidateLineItem]
    /// Rule rows, bad cells, students without SIS ids: in the order found.
    public var diagnostics: [Diagnostic]

    public init(request: SyncRequestKey, termSourcedID: String, schoolID: String?, lineItems: [CandidateLineItem] = [], diagnostics: [Diagnostic] = []) {
        self.request = request
        self.termSourcedID = termSourcedID
        self.schoolID = schoolID
        self.lineItems = lineItems
        self.diagnostics = diagnostics
    }
}

/// A line item that passed every rule, with every student's current grade.
public struct CandidateLineItem: Sendable {
    /// The line item as it would be written, with no results yet.
    public var lineItem: PassbackLineItem
    public var assignmentName: String
    public var canvasAssignmentID: String
    public var results: [CandidateResult]

    public init(lineItem: PassbackLineItem, assignmentName: String, canvasAssignmentID: String, results: [CandidateResult]) {
        self.lineItem = lineItem
        self.assignmentName = assignmentName
        self.canvasAssignmentID = canvasAssignmentID
        self.results = results
    }
}

/// One student's current grade for a line item. Students whose cell is `N/A` or unreadable are
/// not candidates at all (nothing is sent or deleted for them).
public struct CandidateResult: Sendable, Equatable {
    /// `canvas-<assignment id>:<student SIS id>`. Made only when asked for (a result that goes
    /// out): the rules stage makes millions of candidates a night and most are not sent.
    public var sourcedID: String {
        get { explicitSourcedID ?? lineItemSourcedID + ":" + studentSISID }
        set { explicitSourcedID = newValue }
    }
    public var studentSISID: String
    /// The grade now; `nil` when the cell is blank or `-`.
    public var current: GradeValue?
    /// When Canvas graded it (`graded_at`), when the bundle says.
    public var gradedAt: Date?
    /// The date written as `ScoreDate`.
    public var scoreDate: LocalDate
    /// The line item's `sourcedId` (shared by its candidates), or the id as given.
    private var lineItemSourcedID: String
    private var explicitSourcedID: String?

    public init(sourcedID: String, studentSISID: String, current: GradeValue?, gradedAt: Date?, scoreDate: LocalDate) {
        self.lineItemSourcedID = ""
        self.explicitSourcedID = sourcedID
        self.studentSISID = studentSISID
        self.current = current
        self.gradedAt = gradedAt
        self.scoreDate = scoreDate
    }

    /// The candidate of line item `lineItemSourcedID` for `studentSISID`; its ``sourcedID`` is
    /// `<lineItemSourcedID>:<studentSISID>`.
    init(lineItemSourcedID: String, studentSISID: String, current: GradeValue?, gradedAt: Date?, scoreDate: LocalDate) {
        self.lineItemSourcedID = lineItemSourcedID
        self.explicitSourcedID = nil
        self.studentSISID = studentSISID
        self.current = current
        self.gradedAt = gradedAt
        self.scoreDate = scoreDate
    }

    public static func == (a: CandidateResult, b: CandidateResult) -> Bool {
        a.studentSISID == b.studentSISID && a.current == b.current && a.gradedAt == b.gradedAt && a.scoreDate == b.scoreDate && a.sourcedID == b.sourcedID
    }
}
