/// A recoverable problem found while checking inputs: a broken passback rule, a bad score cell,
/// a rejected file.
///
/// Stages hand diagnostics to a ``DiagnosticCollector`` and go on; `throw` is kept for what stops
/// a file (``InputFileError``) or a run. Every diagnostic becomes one row of the run report.
public struct Diagnostic: Sendable, Equatable {
    /// How the report files the problem (`status` column).
    public enum Severity: String, Sendable, Equatable {
        /// Grades that should have been sent were not.
        case error
        /// Sent, or held back on purpose, but a person should look.
        case warning
        /// Not sent because nobody asked for it (not set to sync, the Test Student).
        case skipped
    }

    public var severity: Severity
    public var code: RuleCode
    /// A sentence a teacher or registrar can act on.
    public var message: String
    public var subject: ReportSubject
    public var location: SourceLocation?
    /// How many grades or students the row is about, when it stands for several (the report's
    /// `count` column): grades not posted, students of a section that is not in Aspire.
    var count: Int?

    init(
        _ severity: Severity,
        _ code: RuleCode,
        _ message: String,
        subject: ReportSubject = ReportSubject(),
        location: SourceLocation? = nil,
        count: Int? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.subject = subject
        self.location = location
        self.count = count
    }

    static func error(_ code: RuleCode, _ message: String, subject: ReportSubject = ReportSubject(), location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.error, code, message, subject: subject, location: location)
    }

    static func warning(_ code: RuleCode, _ message: String, subject: ReportSubject = ReportSubject(), location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.warning, code, message, subject: subject, location: location)
    }

    static func skipped(_ code: RuleCode, _ message: String, subject: ReportSubject = ReportSubject(), location: SourceLocation? = nil, count: Int? = nil) -> Diagnostic {
        Diagnostic(.skipped, code, message, subject: subject, location: location, count: count)
    }
}

/// What a report row is about. Every member is optional: a rejected file has only a location, a
/// bad score cell has everything.
public struct ReportSubject: Sendable, Equatable, Hashable {
    var courseSISID: String?
    public var sectionSISID: String?
    var canvasCourseID: String?
    public var canvasAssignmentID: String?
    var assignmentName: String?
    var categorySourcedID: String?
    var studentSISID: String?

    init(
        courseSISID: String? = nil,
        sectionSISID: String? = nil,
        canvasCourseID: String? = nil,
        canvasAssignmentID: String? = nil,
        assignmentName: String? = nil,
        categorySourcedID: String? = nil,
        studentSISID: String? = nil
    ) {
        self.courseSISID = courseSISID
        self.sectionSISID = sectionSISID
        self.canvasCourseID = canvasCourseID
        self.canvasAssignmentID = canvasAssignmentID
        self.assignmentName = assignmentName
        self.categorySourcedID = categorySourcedID
        self.studentSISID = studentSISID
    }
}

/// Where in the inputs a problem is: the file as it was dropped (relative to the inbox) and,
/// where one line is to blame, its 1-based physical line number.
public struct SourceLocation: Sendable, Equatable, Hashable {
    public var file: String
    public var line: Int?

    init(file: String, line: Int? = nil) {
        self.file = file
        self.line = line
    }
}
