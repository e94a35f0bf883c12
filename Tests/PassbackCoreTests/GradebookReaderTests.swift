import Foundation
import Testing

@testable import PassbackCore

@Suite struct GradebookReaderTests {
    /// Reads a fixture from its path at the default chunk size, and checks that reading it from
    /// memory at tiny chunk sizes gives the same gradebook.
    static func read(_ name: String) throws -> Gradebook {
        let gradebook = try GradebookReader().read(fileAt: Fixture.path("gradebooks/\(name)"))
        let bytes = try Fixture.bytes("gradebooks/\(name)")
        for chunkSize in [1, 2, 3, 7] {
            #expect(try GradebookReader(chunkSize: chunkSize).read(bytes: bytes) == gradebook, "chunk size \(chunkSize)")
        }
        return gradebook
    }

    static func error(_ name: String) throws -> InputFileError {
        let bytes = try Fixture.bytes("gradebooks/\(name)")
        var errors: [InputFileError] = []
        for chunkSize in [1, 2, 3, 7, CSVReader.defaultChunkSize] {
            do {
                _ = try GradebookReader(chunkSize: chunkSize).read(bytes: bytes)
                Issue.record("\(name) was read without an error at chunk size \(chunkSize)")
            } catch let error as InputFileError {
                errors.append(error)
            }
        }
        do {
            _ = try GradebookReader().read(fileAt: Fixture.path("gradebooks/\(name)"))
            Issue.record("\(name) was read without an error from its path")
        } catch let error as InputFileError {
            errors.append(error)
        }
        let first = try #require(errors.first)
        #expect(errors.allSatisfy { $0 == first }, "chunk sizes disagree: \(errors)")
        return first
    }

    static func points(_ text: String) -> ScoreCell { .points(ExactDecimal.parse(text)!) }
    static func decimal(_ text: String) -> ExactDecimal { ExactDecimal.parse(text)! }

    // MARK: The shapes Canvas writes

    @Test func readsAPlainExport() throws {
        let gradebook = try Self.read("plain.csv")
        #expect(gradebook.separator == UInt8(ascii: ","))
        #expect(!gradebook.hasByteOrderMark)
        #expect(
            gradebook.assignmentColumns == [
                GradebookAssignmentColumn(name: "Homework 1", assignmentID: "101", pointsPossible: Self.decimal("10")),
                GradebookAssignmentColumn(name: "Lab (Part 2)", assignmentID: "1234", pointsPossible: Self.decimal("25")),
                GradebookAssignmentColumn(name: "Quiz: Fractions, Part A", assignmentID: "202", pointsPossible: Self.decimal("5")),
            ])
        #expect(
            gradebook.students == [
                GradebookStudent(canvasUserID: "13", sisUserID: "604863", sectionText: "Period 1", line: 3, cells: [Self.points("9"), Self.points("22.5"), Self.points("5")]),
                GradebookStudent(canvasUserID: "14", sisUserID: "604874", sectionText: "Period 1", line: 4, cells: [.excused, .notAssigned, .blank]),
                GradebookStudent(canvasUserID: "15", sisUserID: nil, sectionText: "Period 1", line: 5, isTestStudent: true, cells: [.blank, .blank, .blank]),
            ])
    }

    @Test func byteOrderMarkAndLineEndsChangeNothingElse() throws {
        let plain = try Self.read("plain.csv")
        var withMark = try Self.read("plain-bom.csv")
        #expect(withMark.hasByteOrderMark)
        withMark.hasByteOrderMark = false
        #expect(withMark == plain)
        #expect(try Self.read("plain-crlf.csv") == plain)
        #expect(try Fixture.bytes("gradebooks/plain-crlf.csv").contains(0x0D))
    }

    @Test func readsSemicolonsWithDecimalCommas() throws {
        let gradebook = try Self.read("semicolon-decimal-comma.csv")
        #expect(gradebook.separator == UInt8(ascii: ";"))
        #expect(gradebook.hasByteOrderMark)
        #expect(
            gradebook.assignmentColumns == [
                GradebookAssignmentColumn(name: "Homework 1", assignmentID: "101", pointsPossible: Self.decimal("10")),
                GradebookAssignmentColumn(name: "Lab; Part 2", assignmentID: "102", pointsPossible: Self.decimal("12.5")),
            ])
        #expect(gradebook.students.map(\.cells) == [[Self.points("9.5"), Self.points("12.5")], [.excused, Self.points("0")]])
        #expect(gradebook.students.map(\.sisUserID) == ["604900", "604901"])
        #expect(gradebook.students.allSatisfy { !$0.isTestStudent })
    }

    @Test func keepsPostingNotes() throws {
        let manual = try Self.read("posting-manual.csv")
        #expect(manual.assignmentColumns.map(\.postingNote) == [nil, "Manual Posting", "Manual Posting (scores hidden from instructors)"])
        #expect(manual.assignmentColumns.map(\.pointsPossible) == [Self.decimal("10"), Self.decimal("20"), Self.decimal("5")])
        #expect(manual.students.map(\.line) == [4])
        #expect(manual.students[0].cells == [Self.points("9"), Self.points("18"), .blank])
        let muted = try Self.read("posting-muted.csv")
        #expect(muted.assignmentColumns.map(\.postingNote) == ["Muted", nil])
        #expect(muted.students[0].cells == [Self.points("9"), Self.points("18")])
    }

    @Test func readsIntegrationIDAndRootAccountColumns() throws {
        let gradebook = try Self.read("integration-id-root-account.csv")
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101"])
        #expect(
            gradebook.students == [
                GradebookStudent(canvasUserID: "13", sisUserID: "604863", sectionText: "Period 1", line: 3, cells: [Self.points("9")])
            ])
    }

    @Test func readsLastNameFirstNameHeader() throws {
        let gradebook = try Self.read("lastname-firstname.csv")
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101"])
        #expect(gradebook.students.map(\.canvasUserID) == ["13", "15"])
        #expect(gradebook.students.map(\.isTestStudent) == [false, true])
    }

    @Test func tellsTotalsFromAssignmentsWhenTheGradingPeriodIsANumber() throws {
        let gradebook = try Self.read("totals-numeric-grading-period.csv")
        #expect(
            gradebook.assignmentColumns == [
                GradebookAssignmentColumn(name: "Homework 1", assignmentID: "101", pointsPossible: Self.decimal("10")),
                GradebookAssignmentColumn(name: "Unit Test (Fall 2020)", assignmentID: "102", pointsPossible: Self.decimal("50")),
                GradebookAssignmentColumn(name: "Quiz Final Score", assignmentID: "103", pointsPossible: Self.decimal("5")),
                GradebookAssignmentColumn(name: "Final Score Review", assignmentID: "104", pointsPossible: Self.decimal("20")),
            ])
        #expect(gradebook.students[0].cells == [Self.points("9"), Self.points("45"), Self.points("4"), Self.points("18")])
    }

    @Test func ignoresTotalsWithANamedGradingPeriod() throws {
        let gradebook = try Self.read("totals-named-grading-period.csv")
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101", "201"])
        #expect(gradebook.students[0].cells == [Self.points("9"), Self.points("88")])
    }

    @Test func readsQuotedFieldsWithLineBreaksCommasAndQuotes() throws {
        let gradebook = try Self.read("multiline-quoted.csv")
        #expect(gradebook.assignmentColumns == [GradebookAssignmentColumn(name: "Homework 1", assignmentID: "101", pointsPossible: Self.decimal("10"))])
        #expect(gradebook.students.map(\.line) == [4, 6, 7])
        #expect(gradebook.students.map(\.canvasUserID) == ["13", "14", "15"])
        #expect(gradebook.students.map(\.sectionText) == ["Period 1", "Period 1", "Period 1"])
        #expect(gradebook.students.map(\.cells) == [[Self.points("9")], [Self.points("8")], [Self.points("7")]])
    }

    @Test func keepsASectionListAsWritten() throws {
        let gradebook = try Self.read("two-sections.csv")
        #expect(gradebook.students.map(\.sectionText) == ["Period 1 and Period 2", "A, B, and C"])
    }

    @Test(arguments: [
        ("plain.csv", [false, false, true]),
        ("lastname-firstname.csv", [false, true]),
        ("test-student-display-name.csv", [false, true]),
        ("test-student-not-last.csv", [false, false]),
        ("test-student-with-sis-id.csv", [false, false]),
    ])
    func flagsTheTestStudentOnlyWhenLastWithoutSISID(name: String, expected: [Bool]) throws {
        #expect(try Self.read(name).students.map(\.isTestStudent) == expected)
    }

    @Test func skipsBlankLines() throws {
        let gradebook = try Self.read("blank-lines.csv")
        #expect(gradebook.students.map(\.line) == [4, 6])
        #expect(gradebook.students.map(\.canvasUserID) == ["13", "14"])
    }

    @Test func aCourseWithoutStudentsIsValid() throws {
        let gradebook = try Self.read("empty-course.csv")
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101"])
        #expect(gradebook.students.isEmpty)
    }

    @Test func readsTheSyntheticCanvasExport() throws {
        let gradebook = try Self.read("canvas-synthetic.csv")
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101", "102", "103", "201", "202"])
        #expect(gradebook.assignmentColumns.map(\.postingNote) == [nil, "Manual Posting", nil, nil, nil])
        #expect(gradebook.assignmentColumns.map(\.pointsPossible) == ["10", "10", "5", "100", "50"].map(Self.decimal))
        #expect(gradebook.students.map(\.sisUserID) == ["604863", "604874", nil])
        #expect(gradebook.students.map(\.sectionText) == ["Period 1", "Period 1 and Period 2", "Period 1"])
        #expect(gradebook.students.map(\.isTestStudent) == [false, false, true])
        #expect(gradebook.students[0].cells == [Self.points("9"), .excused, Self.points("5"), Self.points("88"), Self.points("45")])
        #expect(gradebook.students[1].cells == [.blank, Self.points("7.5"), Self.points("0"), Self.points("72.5"), .notAssigned])
        #expect(gradebook.students.map(\.line) == [4, 5, 6])
    }

    // MARK: Headers in memory

    @Test func acceptsAQuotedFirstHeaderField() throws {
        let text = "\"Student\";ID;SIS User ID;Section;A (1)\n    Points Possible;;;;1,50\nx;7;s7;P;1,25\n"
        let gradebook = try GradebookReader().read(bytes: Array(text.utf8))
        #expect(gradebook.separator == UInt8(ascii: ";"))
        #expect(gradebook.assignmentColumns == [GradebookAssignmentColumn(name: "A", assignmentID: "1", pointsPossible: Self.decimal("1.5"))])
        #expect(gradebook.students.map(\.cells) == [[Self.points("1.25")]])
    }

    @Test func aNumberInPointsPossibleAlwaysMeansAnAssignment() throws {
        // A custom column titled like a total comes before the assignments; the assignment
        // "Quiz Final Score" after it keeps its column, while an empty-pointed total after the
        // real totals does not become an assignment.
        let text = """
            Student,ID,SIS User ID,Section,Final Grade,Quiz Final Score (103),Current Score (2024),Override Score (2024)
                Points Possible,,,,,5.00,(read only),
            x,7,s7,P,A,4.00,80.00,85.00

            """
        let gradebook = try GradebookReader().read(bytes: Array(text.utf8))
        #expect(gradebook.assignmentColumns == [GradebookAssignmentColumn(name: "Quiz Final Score", assignmentID: "103", pointsPossible: Self.decimal("5"))])
        #expect(gradebook.students.map(\.cells) == [[Self.points("4")]])
    }

    @Test func refusesBothNameHeaders() throws {
        let text = "Student,LastName,FirstName,ID,SIS User ID,Section\n    Points Possible,,,,,\n"
        #expect(throws: InputFileError.self) { try GradebookReader().read(bytes: Array(text.utf8)) }
    }

    @Test func classifiesHeaderTitles() throws {
        let total = try #require(GradebookHeader.candidate(column: 9, title: "Homework Current Score (2024)"))
        #expect(total.name == "Homework Current Score")
        #expect(total.assignmentID == "2024")
        #expect(total.endsWithTotalName)
        #expect(GradebookHeader.candidate(column: 9, title: "Lab (Part 2) (1234)")?.name == "Lab (Part 2)")
        #expect(GradebookHeader.candidate(column: 9, title: "Lab (Part 2)") == nil)
        #expect(GradebookHeader.candidate(column: 9, title: "Lab(12)") == nil)
        #expect(GradebookHeader.candidate(column: 9, title: "Lab (12) ") == nil)
        #expect(GradebookHeader.candidate(column: 9, title: "Lab (1a)") == nil)
        #expect(GradebookHeader.looksLikeTotal("Current Score"))
        #expect(GradebookHeader.looksLikeTotal("Tests Unposted Final Score (Fall 2020)"))
        #expect(GradebookHeader.looksLikeTotal("Override Grade"))
        #expect(!GradebookHeader.looksLikeTotal("Notes"))
        #expect(!GradebookHeader.looksLikeTotal("Final Score Review"))
    }

    // MARK: What stops a file

    @Test(
        arguments: [
            ("malformed-empty.csv", nil, "empty"),
            ("malformed-header-only.csv", nil, "nothing after the header"),
            ("malformed-not-a-gradebook.csv", 1, "starts with \"categorySourcedId\""),
            ("malformed-no-sis-user-id.csv", 1, "with SIS ids (an account that can see SIS User IDs)"),
            ("malformed-no-section.csv", 1, "no \"Section\" column"),
            ("malformed-duplicate-id-column.csv", 1, "\"ID\" column twice (columns 2 and 4)"),
            ("malformed-missing-points-possible.csv", 2, "Points Possible"),
            ("malformed-posting-row-only.csv", nil, "Points Possible"),
            ("malformed-student-before-points-possible.csv", 2, "should be the \"Points Possible\" row"),
            ("malformed-ragged-row.csv", 4, "has 7 fields but the header has 6"),
            ("malformed-bad-id.csv", 3, "the ID \"mary\""),
            ("malformed-blank-id.csv", 4, "a blank ID"),
            ("malformed-duplicate-student.csv", 5, "lines 3 and 5"),
            ("malformed-duplicate-assignment.csv", 1, "two columns for assignment 101"),
            ("malformed-utf16.csv", 1, "CSV UTF-8"),
            ("malformed-unterminated-quote.csv", 4, "never closed"),
            ("malformed-stray-quote.csv", 3, "does not start with a quote"),
            ("malformed-latin1-section.csv", 3, "not valid UTF-8"),
            ("malformed-latin1-header.csv", 1, "Field 7 of the record on line 1 is not valid UTF-8"),
            ("malformed-latin1-sis-id.csv", 4, "Field 3 of the record on line 4 is not valid UTF-8"),
            ("malformed-short-row.csv", 4, "has 5 fields but the header has 6"),
            ("malformed-nul-byte.csv", 3, "NUL byte"),
            ("malformed-excel-unicode-text.csv", 1, "save it as \"CSV UTF-8 (Comma delimited)\""),
            ("malformed-tab-separated.csv", 1, "save it as \"CSV UTF-8 (Comma delimited)\""),
        ] as [(String, Int?, String)])
    func refusesMalformedFiles(name: String, line: Int?, fragment: String) throws {
        let error = try Self.error(name)
        #expect(error.code == .malformedFile)
        #expect(error.line == line)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.message.contains("xport"), "the message says how to get a good file: \(error.message)")
    }

    /// Excel's two "text" formats, which a registrar may pick instead of CSV: the message names
    /// the format and the one to pick.
    @Test(arguments: [
        ("malformed-excel-unicode-text.csv", "UTF-16 text (Excel's \"Unicode Text\""),
        ("malformed-tab-separated.csv", "separated by tabs"),
    ])
    func namesExcelsTextFormats(name: String, fragment: String) throws {
        let error = try Self.error(name)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func loneCarriageReturnsEndLinesLikeLineFeeds() throws {
        #expect(try Fixture.bytes("gradebooks/plain-cr.csv").contains(0x0D))
        #expect(try !Fixture.bytes("gradebooks/plain-cr.csv").contains(0x0A))
        #expect(try Self.read("plain-cr.csv") == Self.read("plain.csv"))
    }

    /// A cell that is not a score is reported as itself: quoted separators, line breaks, quotes,
    /// formulas and non-ASCII digits never move the cells beside it, nor the lines after it.
    @Test func aBadScoreCellNeverShiftsOtherCells() throws {
        let gradebook = try Self.read("bad-score-cells.csv")
        func bad(_ text: String, _ reason: InvalidScoreReason = .unreadable) -> ScoreCell { .invalid(text: text, reason: reason) }
        #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["101", "102", "103"])
        #expect(gradebook.students.map(\.line) == [3, 4, 5, 7, 8, 9])
        #expect(gradebook.students.map(\.canvasUserID) == ["13", "14", "15", "16", "17", "18"])
        #expect(gradebook.students.map(\.sisUserID) == ["604863", "604874", "604875", "604876", "604877", "604878"])
        #expect(gradebook.students.allSatisfy { $0.sectionText == "Period 1" })
        #expect(
            gradebook.students.map(\.cells) == [
                [Self.points("9.5"), Self.points("7"), Self.points("8")],  // a decimal comma, quoted as Canvas quotes it (v2)
                [bad("=1+1"), bad("1,000", .ambiguous), Self.points("6")],
                [bad("9\n5"), bad("1e3"), Self.points("5")],
                [bad("NaN"), bad("\u{FF19}"), bad("\"9\"")],
                [bad("-3", .negative), bad("+3"), bad("9\u{FFFD}")],
                [Self.points("4"), Self.points("3"), Self.points("2")],
            ])
    }

    @Test func aFieldOverTheCapStopsTheFileAtItsLine() throws {
        let long = String(repeating: "9", count: 65)
        let text = "Student,ID,SIS User ID,Section,A (1)\n    Points Possible,,,,10\nx,7,s7,P,\(long)\n"
        for chunkSize in [1, 7, CSVReader.defaultChunkSize] {
            let error = try #require(throws: InputFileError.self) {
                try GradebookReader(chunkSize: chunkSize, limits: CSVLimits(maximumFieldBytes: 64)).read(bytes: Array(text.utf8))
            }
            #expect(error.line == 3)
            #expect(error.message.contains("longer than 64 bytes"))
        }
    }

    @Test func aMissingFileIsAReadErrorNotMalformed() {
        #expect(throws: FileReadError.self) { try GradebookReader().read(fileAt: "/nonexistent/passback/x.gradebook.csv") }
    }
}
