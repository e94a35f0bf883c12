import Testing

@testable import PassbackCore

@Suite struct ScoreCellTests {
    @Test(arguments: [
        ("9", ScoreCell.points(Make.decimal("9"))),
        ("9.50", .points(Make.decimal("9.5"))),
        (" 7.25 ", .points(Make.decimal("7.25"))),
        ("85%", .percent(Make.decimal("85"))),
        ("", .blank),
        ("-", .blank),
        ("EX", .excused), ("ex", .excused), ("Ex", .excused),
        ("N/A", .notAssigned), ("n/a", .notAssigned),
        ("complete", .complete), ("PASS", .complete),
        ("incomplete", .incomplete), ("fail", .incomplete),
        ("-1", .invalid(text: "-1", reason: .negative)),
        ("NaN", .invalid(text: "NaN", reason: .unreadable)),
        ("inf", .invalid(text: "inf", reason: .unreadable)),
        ("0x1p3", .invalid(text: "0x1p3", reason: .unreadable)),
        ("1e3", .invalid(text: "1e3", reason: .unreadable)),
        ("9,5", .points(Make.decimal("9.5"))),  // a decimal comma, quoted in a comma file (v2)
        ("1,000", .invalid(text: "1,000", reason: .ambiguous)),
        ("A-", .invalid(text: "A-", reason: .unreadable)),
        ("１", .invalid(text: "１", reason: .unreadable)),
    ])
    func commaSeparatedCells(text: String, expected: ScoreCell) {
        #expect(ScoreCellParser(fieldSeparator: UInt8(ascii: ",")).parse(text) == expected)
    }

    @Test(arguments: [
        ("9,5", ScoreCell.points(Make.decimal("9.5"))), ("9.5", .points(Make.decimal("9.5"))), ("85,5%", .percent(Make.decimal("85.5"))),
        ("1.234,5", .points(Make.decimal("1234.5"))), ("1.234", .invalid(text: "1.234", reason: .ambiguous)),
    ])
    func semicolonFilesTakeDecimalCommas(text: String, expected: ScoreCell) {
        #expect(ScoreCellParser(fieldSeparator: UInt8(ascii: ";")).parse(text) == expected)
    }

    @Test func longGarbageIsQuotedShort() {
        guard case .invalid(let text, _) = ScoreCellParser(fieldSeparator: 44).parse(String(repeating: "z", count: 500)) else {
            Issue.record("not invalid")
            return
        }
        #expect(text.count == ScoreCellParser.quotedTextLimit + 1)
    }
}

@Suite struct ScoreEvaluatorTests {
    let evaluator = ScoreEvaluator()
    let ten = Make.decimal("10")

    @Test func everyKindOfCell() {
        #expect(evaluator.evaluate(.points(Make.decimal("9")), pointsPossible: ten) == .grade(.score(Make.decimal("9")), extraCredit: false))
        #expect(evaluator.evaluate(.percent(Make.decimal("85")), pointsPossible: ten) == .grade(.score(Make.decimal("8.5")), extraCredit: false))
        #expect(evaluator.evaluate(.complete, pointsPossible: ten) == .grade(.score(ten), extraCredit: false))
        #expect(evaluator.evaluate(.incomplete, pointsPossible: ten) == .grade(.score(.zero), extraCredit: false))
        #expect(evaluator.evaluate(.excused, pointsPossible: ten) == .grade(.exempt, extraCredit: false))
        #expect(evaluator.evaluate(.notAssigned, pointsPossible: ten) == .notAssigned)
        #expect(evaluator.evaluate(.blank, pointsPossible: ten) == .noGrade)
    }

    @Test func extraCredit() {
        #expect(evaluator.evaluate(.points(Make.decimal("11")), pointsPossible: ten) == .grade(.score(Make.decimal("11")), extraCredit: true))
        #expect(evaluator.evaluate(.points(Make.decimal("10")), pointsPossible: ten) == .grade(.score(ten), extraCredit: false))
        #expect(evaluator.evaluate(.percent(Make.decimal("110")), pointsPossible: ten) == .grade(.score(Make.decimal("11")), extraCredit: true))
        #expect(evaluator.evaluate(.points(Make.decimal("1")), pointsPossible: nil) == .grade(.score(Make.decimal("1")), extraCredit: true))
    }

    @Test func invalidCellsSayWhatToDo() {
        guard case .invalid(let negative) = evaluator.evaluate(.invalid(text: "-2", reason: .negative), pointsPossible: ten),
            case .invalid(let garbage) = evaluator.evaluate(.invalid(text: "A-", reason: .unreadable), pointsPossible: ten),
            case .invalid(let percent) = evaluator.evaluate(.percent(Make.decimal("50")), pointsPossible: .zero)
        else {
            Issue.record("expected invalid outcomes")
            return
        }
        #expect(negative.contains("\"-2\" is negative"))
        #expect(garbage.contains("\"A-\""))
        #expect(percent.contains("no points possible"))
    }

    /// Spec 2.2 (v2): the bundle's submission stands in for a cell that is not a grade, and
    /// `excused: true` reads as `EX`.
    @Test func submissionsScoreAndExcused() {
        let four = Make.decimal("4")
        func submission(score: String?, excused: Bool = false, state: String? = "graded") -> CanvasSubmission {
            CanvasSubmission(assignmentID: "1", userID: "2", gradedAt: nil, score: score.map(Make.decimal), excused: excused, workflowState: state)
        }
        let letter = ScoreCell.invalid(text: "A-", reason: .unreadable)
        #expect(evaluator.evaluate(letter, pointsPossible: four, submission: submission(score: "3.7")) == .grade(.score(Make.decimal("3.7")), extraCredit: false))
        #expect(
            evaluator.evaluate(letter, pointsPossible: four, submission: submission(score: "3.7", state: "submitted")) == .grade(.score(Make.decimal("3.7")), extraCredit: false),
            "graded, then submitted again")
        #expect(
            evaluator.evaluate(.invalid(text: "1,000", reason: .ambiguous), pointsPossible: Make.decimal("1500"), submission: submission(score: "1000"))
                == .grade(.score(Make.decimal("1000")), extraCredit: false))
        #expect(evaluator.evaluate(.blank, pointsPossible: four, submission: submission(score: nil, excused: true)) == .grade(.exempt, extraCredit: false))
        #expect(
            evaluator.evaluate(.points(Make.decimal("3")), pointsPossible: four, submission: submission(score: "3.5")) == .grade(.score(Make.decimal("3")), extraCredit: false),
            "a number is the cell's")
        for refused in [submission(score: nil), submission(score: "-1"), submission(score: "3.7", state: "pending_review")] {
            guard case .invalid = evaluator.evaluate(letter, pointsPossible: four, submission: refused) else {
                Issue.record("\(refused) stood in for a letter grade")
                continue
            }
        }
    }
}
