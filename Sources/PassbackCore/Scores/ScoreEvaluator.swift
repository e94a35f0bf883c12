extension RuleCode {
    /// A score cell that is not a grade: unreadable text, a negative number, a percentage of an
    /// assignment without points.
    static let invalidScore = RuleCode("invalid-score")
    /// More than points possible: sent, with a warning.
    static let extraCredit = RuleCode("extra-credit")
}

/// Turns a classified score cell into what is sent (spec section 4), given the assignment's
/// points possible.
struct ScoreEvaluator: Sendable {
    /// What a cell means for Aspire.
    enum Outcome: Sendable, Equatable {
        /// Send this grade; `extraCredit` when the score is above points possible.
        case grade(GradeValue, extraCredit: Bool)
        /// `N/A`: the student does not have the assignment; nothing is sent or deleted.
        case notAssigned
        /// Blank or `-`: no grade now (a deletion if one was sent before).
        case noGrade
        /// Not a grade; the message says what to fix.
        case invalid(message: String)
    }

    init() {}

    /// What a cell means, given the bundle's submission for it (spec 2.2, v2): `excused: true`
    /// reads as `EX`, and a cell that is not a grade (a letter grade of a GPA-scale assignment,
    /// an ambiguous number) is the submission's `score` when it has one (not negative, and not a
    /// quiz's partial score `pending_review`; Canvas keeps the score of a graded submission that
    /// was submitted again, whose state is `submitted`).
    func evaluate(_ cell: ScoreCell, pointsPossible: ExactDecimal?, submission: CanvasSubmission?) -> Outcome {
        guard let submission else { return evaluate(cell, pointsPossible: pointsPossible) }
        if submission.excused { return .grade(.exempt, extraCredit: false) }
        if case .invalid = cell, let score = submission.score, !score.isNegative, submission.workflowState != "pending_review" {
            return .grade(.score(score), extraCredit: score > (pointsPossible ?? .zero))
        }
        return evaluate(cell, pointsPossible: pointsPossible)
    }

    func evaluate(_ cell: ScoreCell, pointsPossible: ExactDecimal?) -> Outcome {
        let points = pointsPossible ?? .zero
        switch cell {
        case .blank:
            return .noGrade
        case .notAssigned:
            return .notAssigned
        case .excused:
            return .grade(.exempt, extraCredit: false)
        case .complete:
            return .grade(.score(points), extraCredit: false)
        case .incomplete:
            return .grade(.score(.zero), extraCredit: false)
        case .points(let value):
            return .grade(.score(value), extraCredit: value > points)
        case .percent(let percent):
            guard !points.isZero else {
                return .invalid(
                    message:
                        "The score \(percent)% cannot be turned into points: the assignment has no points possible. Enter points, or give the assignment points possible in Canvas."
                )
            }
            guard let score = percent.dividedByHundred()?.multiplied(by: points) else {
                return .invalid(message: "The score \(percent)% is too large to send; enter the points.")
            }
            return .grade(.score(score), extraCredit: score > points)
        case .invalid(let text, let reason):
            switch reason {
            case .negative:
                return .invalid(message: "The score \"\(text)\" is negative; Aspire takes scores of 0 or more. Correct it in Canvas.")
            case .unreadable:
                return .invalid(
                    message:
                        "The score \"\(text)\" is not a grade Aspire can take; enter a number, a percentage, EX, complete or incomplete in Canvas (letter grades are passed back only when the bundle's submissions carry their score)."
                )
            case .ambiguous:
                return .invalid(
                    message:
                        "The score \"\(text)\" can be read as a thousand or as one with three decimals, and passback does not guess; export the gradebook again from Canvas unchanged (Canvas writes two decimals and no thousands mark), or add the course's submissions to the bundle."
                )
            }
        }
    }

    /// The warning's message for a score above points possible.
    static func extraCreditMessage(score: ExactDecimal, points: ExactDecimal?) -> String {
        "Sent as extra credit: \(score) is more than the \(points ?? .zero) points possible. Check the score if that was not meant."
    }
}
