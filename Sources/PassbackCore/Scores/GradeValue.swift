/// A grade as Aspire receives it: a score, or an exemption. Its ``ledgerText`` is what the
/// ledger keeps as "last sent", so `9`, `9.0` and `9.00` are the same grade.
enum GradeValue: Sendable, Hashable, CustomStringConvertible {
    case score(ExactDecimal)
    case exempt

    var scoreStatus: ScoreStatus {
        switch self {
        case .score: return .fullyGraded
        case .exempt: return .exempt
        }
    }

    var score: ExactDecimal? {
        if case .score(let value) = self { return value }
        return nil
    }

    /// `9.5`, or `EX`.
    var ledgerText: String {
        switch self {
        case .score(let value): return value.description
        case .exempt: return "EX"
        }
    }

    init?(ledgerText: String) {
        if ledgerText == "EX" {
            self = .exempt
        } else if let value = ExactDecimal.parse(ledgerText) {
            self = .score(value)
        } else {
            return nil
        }
    }

    var description: String { ledgerText }
}
