/// Reads a Canvas gradebook export (`<stem>.gradebook.csv`) into a ``Gradebook``, streaming:
/// one pass over the file in chunks, strings only for the cells kept (`ID`, `SIS User ID`,
/// `Section`), scores classified straight from the bytes by ``ScoreCellParser``.
///
/// What it accepts is everything Canvas's exporter writes (spec section 2.2): a UTF-8
/// byte-order mark or none; `,` or `;` as separator (told by the byte after the first header
/// field, `Student` or `LastName`); the `Student` or `LastName`,`FirstName` header with optional
/// `Integration ID` and `Root Account` columns, custom columns, assignment columns and totals
/// (see ``GradebookHeader``); optional posting rows (`Manual Posting`, `Muted`); the
/// `    Points Possible` row; student rows; the Test Student last. Blank lines are skipped.
///
/// What stops the file (an ``InputFileError`` `malformed-file`, with the line when one is to
/// blame): anything the ``CSVReader`` refuses; an empty file; a first column other than
/// `Student`/`LastName`; a missing or repeated required column (`ID`, `SIS User ID`, `Section`);
/// a missing `Points Possible` row (including a file with nothing after the header); a row with
/// more or fewer fields than the header; a student row whose `ID` is not a Canvas user id; the
/// same `ID` twice; two columns for one assignment. A header, a `Points Possible` row and no
/// students is a valid, empty course.
package struct GradebookReader: Sendable {
    /// Bytes per read; tests use a few bytes to put chunk boundaries everywhere.
    var chunkSize: Int
    var limits: CSVLimits

    package init(chunkSize: Int = CSVReader.defaultChunkSize, limits: CSVLimits = .standard) {
        self.chunkSize = chunkSize
        self.limits = limits
    }

    /// Reads the gradebook file at `path`.
    /// - Throws: ``InputFileError`` for content that is not a Canvas gradebook export,
    ///   ``FileReadError`` when the file cannot be opened or read.
    func read(fileAt path: String) throws -> Gradebook {
        var reader = try CSVReader(fileAt: path, chunkSize: chunkSize, limits: limits)
        return try read(&reader)
    }

    /// Reads a gradebook held in memory.
    /// - Throws: ``InputFileError`` for content that is not a Canvas gradebook export.
    package func read(bytes: [UInt8]) throws -> Gradebook {
        var reader = CSVReader(bytes: bytes, chunkSize: chunkSize, limits: limits)
        return try read(&reader)
    }

    private static let pointsPossibleTitle = Array("Points Possible".utf8)

    private func read(_ reader: inout CSVReader) throws -> Gradebook {
        let separator = try Self.detectSeparator(&reader)
        reader.setSeparator(separator)
        let parser = ScoreCellParser(fieldSeparator: separator)

        guard try reader.next() else { throw Self.notAGradebook("") }
        let header = try GradebookHeader(titles: try reader.strings(), line: reader.recordLine)
        let headerLine = reader.recordLine

        // Posting rows, then the Points Possible row.
        var postingNotes = [String?](repeating: nil, count: header.candidates.count)
        var sawPointsPossibleRow = false
        var sawRowAfterHeader = false
        var assignmentColumns: [GradebookAssignmentColumn] = []
        var cellColumns: [Int] = []
        while !sawPointsPossibleRow {
            guard try reader.next() else {
                throw InputFileError(
                    .malformedFile,
                    "The file ends without the \"Points Possible\" row that Canvas writes right after the header\(sawRowAfterHeader ? "" : " (there is nothing after the header)"). Export the gradebook again from Canvas and drop that file unchanged.",
                    line: nil
                )
            }
            if reader.isBlank { continue }
            sawRowAfterHeader = true
            try Self.checkFieldCount(reader, header)
            let first = GradebookHeader.trimmed(reader.field(at: 0))
            if first.elementsEqual(Self.pointsPossibleTitle) {
                sawPointsPossibleRow = true
                var pointsCells: [[UInt8]] = []
                for candidate in header.candidates { pointsCells.append(Array(reader.field(at: candidate.column))) }
                let isAssignment = header.assignmentFlags(pointsCells: pointsCells, numbers: parser.numbers)
                for (index, candidate) in header.candidates.enumerated() where isAssignment[index] {
                    let cell = reader.field(at: candidate.column)
                    var points: ExactDecimal?
                    if case .number(let value) = parser.numbers.read(GradebookHeader.trimmed(cell)), !value.isNegative { points = value }
                    assignmentColumns.append(
                        GradebookAssignmentColumn(
                            name: candidate.name, assignmentID: candidate.assignmentID, pointsPossible: points,
                            postingNote: postingNotes[index]
                        ))
                    cellColumns.append(candidate.column)
                }
            } else if first.isEmpty, GradebookHeader.trimmed(reader.field(at: header.idColumn)).isEmpty {
                // A posting row: `Manual Posting` (or older Canvas's `Muted`) under some assignments.
                for (index, candidate) in header.candidates.enumerated() where postingNotes[index] == nil {
                    let note = try reader.trimmedString(at: candidate.column)
                    if !note.isEmpty { postingNotes[index] = note }
                }
            } else {
                throw InputFileError(
                    .malformedFile,
                    "Line \(reader.recordLine) should be the \"Points Possible\" row that Canvas writes right after the header (its first cell reads \"Points Possible\"), but it is not. Export the gradebook again from Canvas and drop that file unchanged.",
                    line: reader.recordLine
                )
            }
        }
        try Self.checkUniqueAssignments(assignmentColumns, line: headerLine)

        // Student rows.
        var students: [GradebookStudent] = []
        var lastLooksLikeTestStudent = false
        var lineOfStudent: [String: Int] = [:]
        while try reader.next() {
            if reader.isBlank { continue }
            try Self.checkFieldCount(reader, header)
            let line = reader.recordLine
            let canvasUserID = try Self.canvasUserID(reader, header)
            if let earlier = lineOfStudent.updateValue(line, forKey: canvasUserID) {
                throw InputFileError(
                    .malformedFile,
                    "The student with Canvas ID \(canvasUserID) has two rows (lines \(earlier) and \(line)); Canvas writes each student once. Export the gradebook again from Canvas and drop that file unchanged.",
                    line: line
                )
            }
            let sisText = try reader.trimmedString(at: header.sisUserIDColumn)
            let sectionText = try reader.string(at: header.sectionColumn)
            let cells = cellColumns.withUnsafeBufferPointer { columns in
                ScoreCells(count: columns.count) { parser.parse(reader.field(at: columns[$0])) }
            }
            lastLooksLikeTestStudent = sisText.isEmpty && Self.hasTestStudentName(reader, header)
            students.append(
                GradebookStudent(
                    canvasUserID: canvasUserID, sisUserID: sisText.isEmpty ? nil : sisText, sectionText: sectionText,
                    line: line, cells: cells
                ))
        }
        if lastLooksLikeTestStudent { students[students.count - 1].isTestStudent = true }

        return Gradebook(
            separator: separator, hasByteOrderMark: reader.hasByteOrderMark,
            assignmentColumns: assignmentColumns, students: students
        )
    }

    // MARK: - Parts

    /// The separator: the byte after the first header field, `Student` or `LastName` (possibly
    /// quoted).
    private static func detectSeparator(_ reader: inout CSVReader) throws -> UInt8 {
        let leading = try reader.leadingBytes(upTo: 64)
        guard !leading.isEmpty else {
            throw InputFileError(.malformedFile, "The file is empty. Export the gradebook again from Canvas and drop that file unchanged.")
        }
        var index = 0
        let quoted = leading[0] == UInt8(ascii: "\"")
        if quoted { index = 1 }
        for title in ["Student", "LastName"] {
            let name = Array(title.utf8)
            guard leading.count >= index + name.count, Array(leading[index..<(index + name.count)]) == name else { continue }
            var after = index + name.count
            if quoted {
                guard after < leading.count, leading[after] == UInt8(ascii: "\"") else { continue }
                after += 1
            }
            guard after < leading.count else { continue }
            let separator = leading[after]
            if separator == UInt8(ascii: ",") || separator == UInt8(ascii: ";") { return separator }
            if separator == UInt8(ascii: "\t") {
                throw InputFileError(
                    .malformedFile,
                    "The file is separated by tabs (Excel's \"Text (Tab delimited)\" or \"Unicode Text\"), not commas. Open it in a spreadsheet and save it as \"CSV UTF-8 (Comma delimited)\", or better, export the gradebook again from Canvas and drop that file unchanged.",
                    line: 1
                )
            }
        }
        let firstLine = leading.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let firstField = firstLine.prefix { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";") }
        throw notAGradebook(String(decoding: firstField.prefix(40), as: UTF8.self))
    }

    private static func notAGradebook(_ firstField: String) -> InputFileError {
        InputFileError(
            .malformedFile,
            "This is not a Canvas gradebook export: its header should start with \"Student\" (or \"LastName\") followed by a comma or semicolon\(firstField.isEmpty ? "" : ", but it starts with \"\(firstField)\""). Export the gradebook from Canvas (Grades, Export, Export Entire Gradebook) and drop that file unchanged.",
            line: 1
        )
    }

    private static func checkFieldCount(_ reader: borrowing CSVReader, _ header: GradebookHeader) throws {
        guard reader.fieldCount != header.fieldCount else { return }
        throw InputFileError(
            .malformedFile,
            "Line \(reader.recordLine) has \(reader.fieldCount) fields but the header has \(header.fieldCount); the file was changed after Canvas exported it, or cut short. Export the gradebook again from Canvas and drop that file unchanged.",
            line: reader.recordLine
        )
    }

    /// The `ID` cell: the digits of a Canvas user id.
    private static func canvasUserID(_ reader: borrowing CSVReader, _ header: GradebookHeader) throws -> String {
        let cell = GradebookHeader.trimmed(reader.field(at: header.idColumn))
        guard !cell.isEmpty, cell.count <= 20, cell.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            let shown = String(decoding: cell.prefix(30), as: UTF8.self)
            throw InputFileError(
                .malformedFile,
                "Line \(reader.recordLine) has \(cell.isEmpty ? "a blank ID" : "the ID \"\(shown)\""); Canvas writes each student's numeric Canvas user ID there. Export the gradebook again from Canvas and drop that file unchanged.",
                line: reader.recordLine
            )
        }
        return String(decoding: cell, as: UTF8.self)
    }

    private static let sortableTestStudentNames = [Array("Student, Test".utf8), Array("Test Student".utf8)]
    private static let testStudentLastName = Array("Student".utf8)
    private static let testStudentFirstName = Array("Test".utf8)

    /// Whether the row's name is the Test Student's (`Student, Test`, `Test Student`, or
    /// `Student` + `Test`).
    private static func hasTestStudentName(_ reader: borrowing CSVReader, _ header: GradebookHeader) -> Bool {
        switch header.nameColumns {
        case .sortable(let column):
            let name = GradebookHeader.trimmed(reader.field(at: column))
            return sortableTestStudentNames.contains { name.elementsEqual($0) }
        case .split(let last, let first):
            return GradebookHeader.trimmed(reader.field(at: last)).elementsEqual(testStudentLastName)
                && GradebookHeader.trimmed(reader.field(at: first)).elementsEqual(testStudentFirstName)
        }
    }

    private static func checkUniqueAssignments(_ columns: [GradebookAssignmentColumn], line: Int) throws {
        var seen: Set<String> = []
        for column in columns where !seen.insert(column.assignmentID).inserted {
            throw InputFileError(
                .malformedFile,
                "The header has two columns for assignment \(column.assignmentID); Canvas writes one per assignment. Export the gradebook again from Canvas and drop that file unchanged.",
                line: line
            )
        }
    }
}
