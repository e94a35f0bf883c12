import Foundation

/// One passback rule of spec section 3, checked for one assignment in one Aspire section.
///
/// A rule that fires returns the report row it wants; any row from a rule means that no grade of
/// the assignment is sent for that section (an error, the `skipped` of an assignment not set to
/// sync, or the `warning` of a category Aspire has not verified yet). Rules run in the order of
/// ``RuleBook/standard`` and are independent types, so tests can check each alone and a district
/// can change the book.
protocol PassbackRule: Sendable {
    /// The code this rule reports, for tables and documentation.
    var code: RuleCode { get }
    func check(_ context: RuleContext) -> Diagnostic?
}

/// What the rules know about one assignment in one Aspire section.
struct RuleContext: Sendable {
    var course: CanvasCourse
    var group: CanvasAssignmentGroup
    var assignment: CanvasAssignment
    /// The Canvas section; its `sisSectionID` is the Aspire section.
    var section: CanvasSection
    var category: CategoryMatch
    var schedule: SectionSchedule
    var settings: RuleSettings
    /// Where rule rows point: the course's `.canvas.json`.
    var location: SourceLocation?

    init(
        course: CanvasCourse, group: CanvasAssignmentGroup, assignment: CanvasAssignment, section: CanvasSection, category: CategoryMatch, schedule: SectionSchedule,
        settings: RuleSettings, location: SourceLocation?
    ) {
        self.course = course
        self.group = group
        self.assignment = assignment
        self.section = section
        self.category = category
        self.schedule = schedule
        self.settings = settings
        self.location = location
    }

    /// The report's identifying columns for a row about this assignment and section.
    var subject: ReportSubject {
        ReportSubject(
            courseSISID: course.sisCourseID,
            sectionSISID: section.sisSectionID,
            canvasCourseID: course.id,
            canvasAssignmentID: assignment.id,
            assignmentName: assignment.name,
            categorySourcedID: category.matched?.categorySourcedID ?? group.sisSourceID
        )
    }

    func error(_ code: RuleCode, _ message: String) -> Diagnostic {
        .error(code, message, subject: subject, location: location)
    }

    /// The section's name for messages: `Period 1 (MST0000007Xy12)`.
    var sectionLabel: String {
        "\(section.name) (\(section.sisSectionID ?? "no SIS id"))"
    }
}

/// The settings rules depend on.
package struct RuleSettings: Sendable {
    /// Longest assignment name Aspire accepts, in Unicode scalars (Canvas accounts use 50 or 30).
    var nameLengthLimit: Int
    var calendar: SchoolCalendar
    /// The run's clock (`--now`), for "verified and not in the future".
    var now: Date
    /// `send_unposted_grades`: send grades students cannot see in Canvas yet (``PostedGradeRule``).
    var sendUnpostedGrades: Bool

    package init(nameLengthLimit: Int = 50, calendar: SchoolCalendar, now: Date, sendUnpostedGrades: Bool = false) {
        self.nameLengthLimit = nameLengthLimit
        self.calendar = calendar
        self.now = now
        self.sendUnpostedGrades = sendUnpostedGrades
    }

    /// The settings of a workspace, for a run or `validate` at `now`.
    init(_ settings: Settings, calendar: SchoolCalendar, now: Date) {
        self.init(nameLengthLimit: settings.nameLengthLimit, calendar: calendar, now: now, sendUnpostedGrades: settings.sendUnpostedGrades)
    }
}
