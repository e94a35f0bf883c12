/// The header row of a Canvas gradebook export, classified: where the identity columns are, and
/// which columns may be assignments.
///
/// Canvas writes `Student` (or `LastName`, `FirstName`), `ID`, `SIS User ID` (only when exported
/// with SIS ids), `SIS Login ID`, `Integration ID` and `Root Account` (both optional), `Section`;
/// then custom gradebook columns, assignment columns titled `<name> (<assignment id>)`, and total
/// columns (`Current Score`, `Homework Final Points`, `Override Grade`, ...), each total possibly
/// followed by a grading period, ` (<period title>)`.
///
/// A grading period titled with digits makes a total look like an assignment
/// (`Current Score (2024)`), so a `name (digits)` column is only a ``Candidate`` here; the
/// `Points Possible` row decides (see ``assignmentFlags(pointsCells:numbers:)``).
struct GradebookHeader: Sendable, Equatable {
    /// Where the student's name is (used only to recognise the Test Student; names are not kept).
    enum NameColumns: Sendable, Equatable {
        /// `Student`: the sortable name, `Archer, Mary`.
        case sortable(Int)
        /// `LastName` and `FirstName`, when the export was made with that option.
        case split(last: Int, first: Int)
    }

    /// A column titled `<name> (<digits>)` after `Section`.
    struct Candidate: Sendable, Equatable {
        var column: Int
        var name: String
        var assignmentID: String
        /// Whether `name` ends with a total column's title (`Current Score`, `Homework Final
        /// Points`, ...), so the digits may be a grading period rather than an assignment id.
        var endsWithTotalName: Bool

        /// What the `Points Possible` cell says: Canvas writes an assignment's points possible
        /// as a number (or nothing when it has none) and a total's as `(read only)` in the user's
        /// language (or nothing for an `Override Score` that may be imported).
        func pointsCellKind(_ pointsCell: [UInt8], numbers: GradebookNumberFormat) -> PointsCellKind {
            var start = 0
            var end = pointsCell.count
            while start < end, pointsCell[start] == 0x20 || pointsCell[start] == 0x09 { start += 1 }
            while end > start, pointsCell[end - 1] == 0x20 || pointsCell[end - 1] == 0x09 { end -= 1 }
            if start == end { return .empty }
            return numbers.read(pointsCell[start..<end]) == .notANumber ? .text : .number
        }
    }

    enum PointsCellKind {
        case empty
        case number
        case text
    }

    var fieldCount: Int
    var nameColumns: NameColumns
    var idColumn: Int
    var sisUserIDColumn: Int
    var sectionColumn: Int
    var candidates: [Candidate]
    /// The first column whose title is plainly a total (`Current Score`, `Homework Final Points
    /// (Fall 2020)`); Canvas writes no assignment after it.
    var firstNamedTotalColumn: Int?

    /// The titles of Canvas's total columns, without group name or grading period.
    /// ``totalTitles`` with a leading space, for suffix checks.
    static let spacedTotalTitles = totalTitles.map { " " + $0 }

    static let totalTitles = [
        "Current Points", "Final Points", "Current Score", "Unposted Current Score", "Final Score",
        "Unposted Final Score", "Current Grade", "Unposted Current Grade", "Final Grade",
        "Unposted Final Grade", "Override Score", "Override Grade",
    ]

    /// The identity columns, as Canvas spells them.
    private enum Identity: String, CaseIterable {
        case student = "Student"
        case lastName = "LastName"
        case firstName = "FirstName"
        case id = "ID"
        case sisUserID = "SIS User ID"
        case sisLoginID = "SIS Login ID"
        case integrationID = "Integration ID"
        case rootAccount = "Root Account"
        case section = "Section"

        /// Columns whose second appearance makes the file ambiguous.
        var isRequired: Bool {
            switch self {
            case .student, .lastName, .firstName, .id, .sisUserID, .section: return true
            case .sisLoginID, .integrationID, .rootAccount: return false
            }
        }

        init?(title: String) {
            // Identity titles are short: longer titles (assignments) are not even lowercased.
            guard title.utf8.count <= Self.longestTitle + 8 else { return nil }
            guard let match = Self.byLowercasedTitle[title.trimmingASCIISpaces().lowercased()] else { return nil }
            self = match
        }

        private static let byLowercasedTitle: [String: Identity] = Dictionary(allCases.map { ($0.rawValue.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        private static let longestTitle = allCases.map(\.rawValue.utf8.count).max() ?? 0
    }

    /// Classifies `titles`, the header's fields.
    /// - Throws: ``InputFileError`` when a required column is missing or appears twice.
    init(titles: [String], line: Int) throws {
        var found: [Identity: Int] = [:]
        var sectionColumn: Int?
        var candidates: [Candidate] = []
        var firstNamedTotalColumn: Int?
        for (column, title) in titles.enumerated() {
            let identity = Identity(title: title)
            if let identity, let earlier = found[identity], identity.isRequired || sectionColumn == nil {
                throw InputFileError(
                    .malformedFile,
                    "The header has the \"\(identity.rawValue)\" column twice (columns \(earlier + 1) and \(column + 1)), so it is unclear which one to read. If one of them is a custom gradebook column, rename it in Canvas; then export the gradebook again.",
                    line: line
                )
            }
            if sectionColumn == nil {
                if let identity { found[identity] = column }
                if identity == .section { sectionColumn = column }
                continue
            }
            if let identity, identity.isRequired {
                found[identity] = column
                continue
            }
            if let candidate = Self.candidate(column: column, title: title) {
                candidates.append(candidate)
            } else if firstNamedTotalColumn == nil, Self.looksLikeTotal(title) {
                firstNamedTotalColumn = column
            }
        }

        let nameColumns: NameColumns
        if let student = found[.student] {
            if found[.lastName] != nil || found[.firstName] != nil {
                throw InputFileError(
                    .malformedFile,
                    "The header has both a \"Student\" column and \"LastName\"/\"FirstName\" columns; Canvas writes one or the other. Export the gradebook again from Canvas.",
                    line: line
                )
            }
            nameColumns = .sortable(student)
        } else if let last = found[.lastName], let first = found[.firstName] {
            nameColumns = .split(last: last, first: first)
        } else {
            throw InputFileError(
                .malformedFile,
                "The header has no \"Student\" column (nor \"LastName\" and \"FirstName\"), so this is not a Canvas gradebook export. Export the gradebook from Canvas (Grades, Export, Export Entire Gradebook) and drop that file unchanged.",
                line: line
            )
        }
        guard let sisUserIDColumn = found[.sisUserID] else {
            throw InputFileError(
                .malformedFile,
                "The header has no \"SIS User ID\" column, which passback needs to name students to Aspire. Export the gradebook again from Canvas with SIS ids (an account that can see SIS User IDs).",
                line: line
            )
        }
        var missing: [String] = []
        if found[.id] == nil { missing.append("\"ID\"") }
        if sectionColumn == nil { missing.append("\"Section\"") }
        guard let idColumn = found[.id], let sectionColumn else {
            throw InputFileError(
                .malformedFile,
                "The header has no \(missing.joined(separator: " or ")) column; Canvas always writes \(missing.count == 1 ? "it" : "them"). Export the gradebook again from Canvas and drop that file unchanged.",
                line: line
            )
        }
        self.fieldCount = titles.count
        self.nameColumns = nameColumns
        self.idColumn = idColumn
        self.sisUserIDColumn = sisUserIDColumn
        self.sectionColumn = sectionColumn
        self.candidates = candidates
        self.firstNamedTotalColumn = firstNamedTotalColumn
    }

    /// Which ``candidates`` are assignments, given their `Points Possible` cells (same order).
    ///
    /// A candidate whose name does not end with a total's title is an assignment, and so is any
    /// candidate whose points cell is a number. One whose name ends with a total's title is a
    /// total when its points cell is text (`(read only)`), or when it is empty and the column
    /// comes after one already known to be a total: Canvas writes all totals after all
    /// assignments, and leaves `Override Score`'s points cell empty where overrides may be
    /// imported, so `Override Score (2024)` is told apart by its place.
    func assignmentFlags(pointsCells: [[UInt8]], numbers: GradebookNumberFormat) -> [Bool] {
        var firstTotalColumn = firstNamedTotalColumn ?? Int.max
        var flags: [Bool] = []
        for (candidate, cell) in zip(candidates, pointsCells) {
            var isTotal = false
            if candidate.endsWithTotalName {
                switch candidate.pointsCellKind(cell, numbers: numbers) {
                case .text: isTotal = true
                case .empty: isTotal = candidate.column > firstTotalColumn
                case .number: isTotal = false
                }
            }
            if isTotal { firstTotalColumn = min(firstTotalColumn, candidate.column) }
            flags.append(!isTotal)
        }
        return flags
    }

    /// Whether `title` is a total's: a total title, after a group name or not, with or without a
    /// grading period in parentheses.
    static func looksLikeTotal(_ title: String) -> Bool {
        totalTitles.contains { total in
            if title == total || title.hasSuffix(" " + total) { return true }
            guard title.hasSuffix(")") else { return false }
            return title.hasPrefix(total + " (") || title.contains(" " + total + " (")
        }
    }

    /// `<name> (<digits>)` split into its parts, or `nil` for any other title.
    static func candidate(column: Int, title: String) -> Candidate? {
        let bytes = Array(title.utf8)
        guard let last = bytes.last, last == UInt8(ascii: ")") else { return nil }
        var digitsStart = bytes.count - 1
        while digitsStart > 0, bytes[digitsStart - 1] >= UInt8(ascii: "0"), bytes[digitsStart - 1] <= UInt8(ascii: "9") {
            digitsStart -= 1
        }
        let digitCount = bytes.count - 1 - digitsStart
        guard digitCount > 0, digitsStart >= 2, bytes[digitsStart - 1] == UInt8(ascii: "("), bytes[digitsStart - 2] == UInt8(ascii: " ")
        else { return nil }
        let name = String(decoding: bytes[..<(digitsStart - 2)], as: UTF8.self)
        let id = String(decoding: bytes[digitsStart..<(bytes.count - 1)], as: UTF8.self)
        let endsWithTotal = zip(totalTitles, Self.spacedTotalTitles).contains { name == $0 || name.hasSuffix($1) }
        return Candidate(column: column, name: name, assignmentID: id, endsWithTotalName: endsWithTotal)
    }

    /// `bytes` without surrounding spaces and tabs.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}

extension String {
    /// The text without surrounding ASCII spaces and tabs (no Foundation needed).
    func trimmingASCIISpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
