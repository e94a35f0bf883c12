/// A Canvas gradebook export, read: the assignment columns and, per student, the parsed score
/// cells. Names are not kept (the pipeline has no use for them, and they are private).
///
/// One course's gradebook is the unit held in memory; ``GradebookReader`` builds it from a
/// streamed file.
package struct Gradebook: Sendable, Equatable {
    /// `,` or `;` as found in the header.
    var separator: UInt8
    var hasByteOrderMark: Bool
    package var assignmentColumns: [GradebookAssignmentColumn]
    package var students: [GradebookStudent]

    init(separator: UInt8, hasByteOrderMark: Bool, assignmentColumns: [GradebookAssignmentColumn], students: [GradebookStudent]) {
        self.separator = separator
        self.hasByteOrderMark = hasByteOrderMark
        self.assignmentColumns = assignmentColumns
        self.students = students
    }

    /// Grade cells: students times assignment columns.
    var cellCount: Int { students.count * assignmentColumns.count }
}

/// An assignment column, `<name> (<assignment id>)`.
package struct GradebookAssignmentColumn: Sendable, Equatable {
    /// The name as written in the header, without the ` (<id>)` suffix.
    var name: String
    var assignmentID: String
    /// The `    Points Possible` row's value, when the row is there and the cell is a number.
    var pointsPossible: ExactDecimal?
    /// The posting row's text for this column (`Manual Posting`, `Muted`), when there is one.
    var postingNote: String?

    init(name: String, assignmentID: String, pointsPossible: ExactDecimal? = nil, postingNote: String? = nil) {
        self.name = name
        self.assignmentID = assignmentID
        self.pointsPossible = pointsPossible
        self.postingNote = postingNote
    }
}

/// One student row of the gradebook.
package struct GradebookStudent: Sendable, Equatable {
    /// The Canvas user id (`ID` column), which overrides' `student_ids` and submissions'
    /// `user_id` refer to.
    var canvasUserID: String
    /// `SIS User ID`; `nil` when blank.
    var sisUserID: String?
    /// The `Section` cell as written: one name, or several joined the way Canvas joins them
    /// (`Period 1 and Period 2`, `A, B, and C`). ``SectionNameList`` splits it against the
    /// course's section names.
    var sectionText: String
    /// The 1-based physical line where the row starts.
    var line: Int
    /// Canvas's Test Student (Student View), which it writes last.
    var isTestStudent: Bool
    /// One cell per ``Gradebook/assignmentColumns`` entry, same order, four bytes each.
    var cells: ScoreCells

    init(canvasUserID: String, sisUserID: String?, sectionText: String, line: Int, isTestStudent: Bool = false, cells: ScoreCells) {
        self.canvasUserID = canvasUserID
        self.sisUserID = sisUserID
        self.sectionText = sectionText
        self.line = line
        self.isTestStudent = isTestStudent
        self.cells = cells
    }
}
