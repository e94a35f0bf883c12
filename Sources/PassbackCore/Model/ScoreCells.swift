/// A student's score cells, four bytes each: the gradebook is the one part of a bundle held
/// whole while it is prepared (issue 12: a 40 MB export of 7 million cells took 112 MB as
/// ``ScoreCell`` values, 16 bytes each; these take 28 MB).
///
/// A cell is one `UInt32`: the kind in the low three bits, then for points and percentages the
/// scale (three bits) and the mantissa (26 bits, up to 67,108,863: `671088.63` at two
/// decimals). What does not fit (a longer number, a negative one, unreadable text) is kept as a
/// ``ScoreCell`` in a side array and the word holds its index. Reading a cell gives back exactly
/// the ``ScoreCell`` stored.
struct ScoreCells: Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral {
    private var words: [UInt32]
    private var spilled: [ScoreCell] = []

    private enum Kind {
        static let blank: UInt32 = 0
        static let notAssigned: UInt32 = 1
        static let excused: UInt32 = 2
        static let complete: UInt32 = 3
        static let incomplete: UInt32 = 4
        static let points: UInt32 = 5
        static let percent: UInt32 = 6
        static let spilled: UInt32 = 7
    }

    private static let largestMantissa: Int64 = (1 << 26) - 1

    /// `count` cells, the cell at each index made by `cell`.
    init(count: Int, _ cell: (Int) -> ScoreCell) {
        words = []
        words.reserveCapacity(count)
        for index in 0..<count { append(cell(index)) }
    }

    init<Cells: Sequence>(_ cells: Cells) where Cells.Element == ScoreCell {
        words = []
        words.reserveCapacity(cells.underestimatedCount)
        for cell in cells { append(cell) }
    }

    init(arrayLiteral cells: ScoreCell...) {
        self.init(cells)
    }

    private mutating func append(_ cell: ScoreCell) {
        switch cell {
        case .blank: words.append(Kind.blank)
        case .notAssigned: words.append(Kind.notAssigned)
        case .excused: words.append(Kind.excused)
        case .complete: words.append(Kind.complete)
        case .incomplete: words.append(Kind.incomplete)
        case .points(let value) where Self.fits(value): words.append(Self.pack(Kind.points, value))
        case .percent(let value) where Self.fits(value): words.append(Self.pack(Kind.percent, value))
        default:
            words.append(Kind.spilled | UInt32(spilled.count) << 3)
            spilled.append(cell)
        }
    }

    private static func fits(_ value: ExactDecimal) -> Bool {
        value.scale < 8 && value.mantissa >= 0 && value.mantissa <= largestMantissa
    }

    private static func pack(_ kind: UInt32, _ value: ExactDecimal) -> UInt32 {
        kind | UInt32(value.scale) << 3 | UInt32(value.mantissa) << 6
    }

    var startIndex: Int { 0 }
    var endIndex: Int { words.count }

    subscript(position: Int) -> ScoreCell {
        let word = words[position]
        switch word & 7 {
        case Kind.blank: return .blank
        case Kind.notAssigned: return .notAssigned
        case Kind.excused: return .excused
        case Kind.complete: return .complete
        case Kind.incomplete: return .incomplete
        case Kind.points: return .points(ExactDecimal(normalizedMantissa: Int64(word >> 6), scale: UInt8(word >> 3 & 7)))
        case Kind.percent: return .percent(ExactDecimal(normalizedMantissa: Int64(word >> 6), scale: UInt8(word >> 3 & 7)))
        default: return spilled[Int(word >> 3)]
        }
    }

    static func == (a: ScoreCells, b: ScoreCells) -> Bool {
        a.elementsEqual(b)
    }
}
