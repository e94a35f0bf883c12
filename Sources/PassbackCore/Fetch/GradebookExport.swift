import Foundation

/// A course's gradebook in the layout of Canvas's own export (canvas-lms
/// `lib/gradebook_exporter.rb`), built from the API's assignment groups, sections, student
/// enrollments and submissions, so that the pipeline reads a fetched course through the same
/// ``GradebookReader`` as a registrar's export.
///
/// What Canvas writes, and so what this writes:
/// - the header `Student,ID,SIS User ID,SIS Login ID,Section`, then one column per published,
///   gradeable assignment (`GradeCalculator`'s `assignments.published.gradeable`: not
///   `not_graded`, not a wiki page) titled `<name> (<id>)`, ordered by group position,
///   assignment position, due date, name;
/// - a posting row when an assignment posts grades by hand (`Manual Posting` under it);
/// - the `    Points Possible` row, points written with two decimals (`I18n.n(points,
///   precision: 2)`);
/// - a row per student in sortable-name order: the sortable name (`="..."` when it starts with
///   `=`, as Canvas guards it), the Canvas user id, SIS user id, login id, and the student's
///   sections' names sorted and joined the way Rails' `to_sentence` does (`A and B`,
///   `A, B, and C`); then per assignment `EX` when excused, the score with two decimals, blank
///   when there is no score, and `N/A` when Canvas has no submission for the student (the
///   assignment is not assigned to them).
///
/// What it leaves out, as Canvas does for some exports: the total columns (Canvas omits them in
/// a course with grading periods; computing them would need Canvas's grade calculator, and the
/// pipeline does not read them), custom columns, Integration ID and Root Account. Letter-grade
/// (`gpa_scale`) assignments get the score as a number rather than the letter (spec section 8:
/// scores as numbers), which the rules read directly.
struct GradebookExport {
    struct Column {
        var id: String
        var name: String
        var pointsPossible: Double?
        var postManually: Bool
        var groupPosition: Int
        var position: Int
        var dueAt: String?
    }

    struct Student {
        var userID: String
        var sortableName: String
        var sisUserID: String?
        var loginID: String?
        var sectionIDs: [String] = []
    }

    private struct CellKey: Hashable {
        var assignment: String
        var user: String
    }

    private enum Cell {
        case excused
        case score(Double?)
    }

    private var sectionNames: [String: String] = [:]
    private var columns: [Column] = []
    private var students: [String: Student] = [:]
    private var cells: [CellKey: Cell] = [:]

    mutating func add(sections: [CanvasAPIJSON.Section]) {
        for section in sections { sectionNames[section.id.value] = section.name ?? "" }
    }

    mutating func add(groups: [CanvasAPIJSON.AssignmentGroup]) {
        for group in groups {
            for assignment in group.assignments ?? [] where Self.isInExport(assignment) {
                columns.append(
                    Column(
                        id: assignment.id.value, name: assignment.name ?? "", pointsPossible: assignment.points_possible,
                        postManually: assignment.post_manually ?? false, groupPosition: group.position ?? Int.max,
                        position: assignment.position ?? 0, dueAt: assignment.due_at
                    ))
            }
        }
    }

    /// `assignments.published.gradeable`.
    static func isInExport(_ assignment: CanvasAPIJSON.Assignment) -> Bool {
        guard assignment.published ?? true, assignment.grading_type != "not_graded" else { return false }
        let types = assignment.submission_types ?? []
        return !types.contains("not_graded") && !types.contains("wiki_page")
    }

    mutating func add(enrollments: [CanvasAPIJSON.Enrollment]) {
        for enrollment in enrollments {
            let id = enrollment.user_id.value
            var student =
                students[id]
                ?? Student(
                    userID: id,
                    sortableName: enrollment.user?.sortable_name ?? enrollment.user?.name ?? "",
                    sisUserID: nonBlank(enrollment.sis_user_id ?? enrollment.user?.sis_user_id),
                    loginID: enrollment.user?.login_id
                )
            if let section = enrollment.course_section_id?.value, !student.sectionIDs.contains(section) {
                student.sectionIDs.append(section)
            }
            students[id] = student
        }
    }

    mutating func add(submissions: [CanvasAPIJSON.Submission]) {
        for submission in submissions {
            cells[CellKey(assignment: submission.assignment_id.value, user: submission.user_id.value)] =
                submission.excused == true ? .excused : .score(submission.score)
        }
    }

    var studentCount: Int { students.count }

    /// The file's bytes: UTF-8 without a byte-order mark, `,`, LF line ends, as Ruby's CSV writes.
    func csv() -> [UInt8] {
        let ordered = columns.sorted { a, b in
            if a.groupPosition != b.groupPosition { return a.groupPosition < b.groupPosition }
            if a.position != b.position { return a.position < b.position }
            switch (a.dueAt, b.dueAt) {
            case (let x?, let y?) where x != y: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.name < b.name
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(128 * (students.count + 3) + 16 * ordered.count * students.count)
        let leading = 5
        var header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        header += ordered.map { "\($0.name) (\($0.id))" }
        Self.append(row: header.map { Optional($0) }, to: &out)
        if ordered.contains(where: \.postManually) {
            let row = [String?](repeating: nil, count: leading) + ordered.map { $0.postManually ? "Manual Posting" : nil }
            Self.append(row: row, to: &out)
        }
        let points = ["    Points Possible"] + [String?](repeating: nil, count: leading - 1) + ordered.map { $0.pointsPossible.flatMap(Self.twoDecimals) }
        Self.append(row: points, to: &out)
        let roster = students.values.sorted { a, b in
            let x = a.sortableName.lowercased()
            let y = b.sortableName.lowercased()
            return x != y ? x < y : (a.userID.count, a.userID) < (b.userID.count, b.userID)
        }
        for student in roster {
            var row: [String?] = [
                Self.guardedName(student.sortableName), student.userID, student.sisUserID, student.loginID,
                Self.toSentence(student.sectionIDs.map { sectionNames[$0] ?? "" }.sorted()),
            ]
            for column in ordered {
                switch cells[CellKey(assignment: column.id, user: student.userID)] {
                case nil: row.append("N/A")
                case .excused?: row.append("EX")
                case .score(let score)?: row.append(score.flatMap(Self.twoDecimals))
                }
            }
            Self.append(row: row, to: &out)
        }
        return out
    }

    /// Canvas's `student_name`: a name starting with `=` is written `="name"`, so a spreadsheet
    /// shows it as text.
    static func guardedName(_ name: String) -> String {
        name.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("=") ? "=\"\(name)\"" : name
    }

    /// Rails' `Array#to_sentence` in English: `A`, `A and B`, `A, B, and C`.
    static func toSentence(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return items[0] + " and " + items[1]
        default: return items.dropLast().joined(separator: ", ") + ", and " + items[items.count - 1]
        }
    }

    /// `I18n.n(number, precision: 2)`: two decimals, rounded half away from zero on the number's
    /// shortest decimal spelling (a number with more than 15 significant digits, such as a third
    /// of a point, is rounded from its binary value); `nil` for NaN and infinities.
    static func twoDecimals(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        guard let exact = ExactDecimal(jsonNumber: value) else {
            guard abs(value) < 1e15 else { return nil }
            return String(format: "%.2f", value)
        }
        var mantissa = exact.mantissa
        var scale = Int(exact.scale)
        let negative = mantissa < 0
        var magnitude = mantissa.magnitude
        if scale > 2 {
            var dropped: UInt64 = 1
            for _ in 0..<(scale - 3) { dropped *= 10 }
            magnitude /= dropped  // keep one digit past the hundredths
            magnitude = (magnitude + 5) / 10
            scale = 2
        }
        while scale < 2 {
            magnitude *= 10
            scale += 1
        }
        mantissa = Int64(magnitude)
        let digits = String(mantissa)
        let padded = digits.count < 3 ? String(repeating: "0", count: 3 - digits.count) + digits : digits
        let text = String(padded.dropLast(2)) + "." + String(padded.suffix(2))
        return (negative && mantissa != 0 ? "-" : "") + text
    }

    /// One CSV record as Ruby's CSV writes it: a field is quoted when it holds `,`, `"`, CR or LF
    /// (quotes doubled), an empty string is `""`, `nil` is nothing; LF at the end.
    static func append(row: [String?], to out: inout [UInt8]) {
        for (index, field) in row.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let field else { continue }
            let bytes = field.utf8
            let needsQuotes = bytes.isEmpty || bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            if needsQuotes {
                out.append(UInt8(ascii: "\""))
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: bytes)
            }
        }
        out.append(0x0A)
    }
}
