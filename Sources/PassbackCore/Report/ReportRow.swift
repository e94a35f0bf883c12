/// One row of the run report (spec section 5.2): a line item sent, or a diagnostic.
public struct ReportRow: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case success, error, warning, skipped
    }

    var runID: String
    var requestID: String?
    var status: Status
    var rule: RuleCode?
    var subject: ReportSubject
    /// For a success row: the results in the line item (deletions included); for a row that
    /// stands for several grades or students: how many.
    var count: Int?
    var location: SourceLocation?
    var message: String

    init(runID: String, requestID: String?, status: Status, rule: RuleCode?, subject: ReportSubject, count: Int? = nil, location: SourceLocation? = nil, message: String) {
        self.runID = runID
        self.requestID = requestID
        self.status = status
        self.rule = rule
        self.subject = subject
        self.count = count
        self.location = location
        self.message = message
    }

    init(runID: String, requestID: String?, diagnostic: Diagnostic) {
        let status: Status
        switch diagnostic.severity {
        case .error: status = .error
        case .warning: status = .warning
        case .skipped: status = .skipped
        }
        self.init(
            runID: runID, requestID: requestID, status: status, rule: diagnostic.code, subject: diagnostic.subject, count: diagnostic.count, location: diagnostic.location,
            message: diagnostic.message)
    }

    /// The report's columns, in order.
    static let columns = [
        "run_id", "request_id", "status", "rule", "course_sis_id", "section_sis_id", "canvas_course_id",
        "canvas_assignment_id", "assignment_name", "category_sourced_id", "student_sis_id", "count",
        "source_file", "source_line", "message",
    ]

    /// Appends the row as one CSV record (``SpreadsheetCSV``), the same bytes as
    /// `SpreadsheetCSV.appendRecord(cells, to:)` without building the array of cells.
    func appendRecord(to buffer: inout [UInt8]) {
        func cell(_ text: String, first: Bool = false) {
            if !first { buffer.append(UInt8(ascii: ",")) }
            SpreadsheetCSV.appendCell(text, to: &buffer)
        }
        cell(runID, first: true)
        cell(requestID ?? "")
        cell(status.rawValue)
        cell(rule?.rawValue ?? "")
        cell(subject.courseSISID ?? "")
        cell(subject.sectionSISID ?? "")
        cell(subject.canvasCourseID ?? "")
        cell(subject.canvasAssignmentID ?? "")
        cell(subject.assignmentName ?? "")
        cell(subject.categorySourcedID ?? "")
        cell(subject.studentSISID ?? "")
        cell(count.map(String.init) ?? "")
        cell(location?.file ?? "")
        cell(location?.line.map(String.init) ?? "")
        cell(message)
        buffer.append(contentsOf: SpreadsheetCSV.lineEnd)
    }

    /// The cells, in the order of ``columns``.
    var cells: [String] {
        [
            runID, requestID ?? "", status.rawValue, rule?.rawValue ?? "", subject.courseSISID ?? "",
            subject.sectionSISID ?? "", subject.canvasCourseID ?? "", subject.canvasAssignmentID ?? "",
            subject.assignmentName ?? "", subject.categorySourcedID ?? "", subject.studentSISID ?? "",
            count.map(String.init) ?? "", location?.file ?? "", location?.line.map(String.init) ?? "", message,
        ]
    }
}
