/// A Canvas gradebook export, read: the assignment columns and, per student, the parsed score
/// cells. Names are not kept (the pipeline has no use for them, and they are private).
///
/// One course's gradebook is the unit held in memory; ``GradebookReader`` builds it from a
/// streamed file.
public struct Gradebook: Sendable, Equatable {
    /// `,` or `;` as found in the header.
    public var separator: UInt8
    public var hasByteOrderMark: Bool
    public var assignmentColumns: [GradebookAssignmentColumn]
    public var students: [GradebookStudent]

    public init(separator: UInt8, hasByteOrderMark: Bool, assignmentColumns: [GradebookAssignmentColumn], students: [GradebookStudent]) {
        self.separator = separator
        self.hasByteOrderMark = hasByteOrderMark
        self.assignmentColumns = assignmentColumns
        self.students = students
    }
}

/// An assignment column, `<name> (<assignment id>)`.
public struct GradebookAssignmentColumn: Sendable, Equatable {
    /// The name as written in the header, without the ` (<id>)` suffix.
    public var name: String
    public var assignmentID: String
    /// The `    Points Possible` row's value, when the row is there and the cell is a number.
    public var pointsPossible: ExactDecimal?
    /// The posting row's text for this column (`Manual Posting`, `Muted`), when there is one.
    public var postingNote: String?

    public init(name: String, assignmentID: String, pointsPossible: ExactDecimal? = nil, postingNote: String? = nil) {
        self.name = name
        self.assignmentID = assignmentID
        self.pointsPossible = pointsPossible
        self.postingNote = postingNote
    }
}

/// One student row of the gradebook.
public struct GradebookStudent: Sendable, Equatable {
    /// The Canvas user id (`ID` column), which overrides' `student_ids` and submissions'
    /// `user_id` refer to.
    public var canvasUserID: String
    /// `SIS User ID`; `nil` when blank.
    public var sisUserID: String?
    /// The `Section` cell as written: one name, or several joined the way Canvas joins them
    /// (`Period 1 and Period 2`, `A, B, and C`). ``SectionNameList`` splits it against the
    /// course's section names.
    public var sectionText: String
    /// The 1-based physical line where the row starts.
    public var line: Int
    /// Canvas's Test Student (Student View), which it writes last.
    public var isTestStudent: Bool
    /// One cell per ``Gradebook/assignmentColumns`` entry, same order.
    public var cells: [ScoreCell]

    public init(canvasUserID: String, sisUserID: String?, sectionText: String, line: Int, isTestStudent: Bool = false, cells: [ScoreCell]) {
        self.canvasUserID = canvasUserID
        self.sisUserID = sisUserID
        self.sectionText = sectionText
        self.line = line
        self.isTestStudent = isTestStudent
        self.cells = cells
    }
}
