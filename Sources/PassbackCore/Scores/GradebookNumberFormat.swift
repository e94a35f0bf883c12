/// How one gradebook writes numbers, and the strict grammar that reads them (spec section 4).
///
/// What Canvas writes (canvas-lms `lib/gradebook_exporter.rb`, `format_numbers`): every score and
/// every points possible as `I18n.n(value, precision: 2)`, which is ActiveSupport's
/// `number_to_rounded` with the user's locale (`config/initializers/i18n.rb`, `NumberLocalizer`):
/// two decimals, the locale's `number.format.separator`, and the locale's
/// `number.precision.format.delimiter` between thousands, which is `""` in every Canvas locale
/// (`config/locales/*.yml`), so Canvas itself never writes a thousands mark: `9.50`, `1000.00`,
/// and for a locale with decimal commas `9,50`. The field separator is `;` only when the user
/// asked for it or Canvas guessed it from the locale (`lib/csv_with_i18n.rb`); otherwise a decimal
/// comma lands in a `,` file, where Ruby's CSV quotes it: `"9,50"`. A gradebook saved again by a
/// spreadsheet may carry thousands marks (`1.000,5`, `1,000.5`).
///
/// The grammar: digits, at most one decimal separator (`.` or `,`), thousands marks only in
/// groups of three before it (the other of `.` and `,`), at most
/// ``ExactDecimal/maximumDigits`` significant digits, a leading `-` (the caller refuses it as
/// negative). No exponents, spaces, apostrophes, `NaN`, `inf` or non-ASCII digits. One shape is
/// two numbers at once: a lone separator that is not the file's own decimal separator followed
/// by exactly three digits (`"1,000"` in a `,` file, `1.000` in a `;` file) is a thousand to a
/// spreadsheet and one to a locale that writes three decimals. It is ``Reading/ambiguous``, never
/// guessed.
struct GradebookNumberFormat: Sendable, Equatable {
    /// The decimal separator the file's own separator implies: `.` in `,` files, `,` in `;`
    /// files (Canvas uses `;` for locales that write decimal commas).
    let decimalSeparator: UInt8

    init(fieldSeparator: UInt8) {
        decimalSeparator = fieldSeparator == UInt8(ascii: ";") ? UInt8(ascii: ",") : UInt8(ascii: ".")
    }

    /// What some digits are.
    enum Reading: Sendable, Equatable {
        case number(ExactDecimal)
        /// `1,000` in a `,` file: a thousand, or one with three decimals.
        case ambiguous
        case notANumber
    }

    /// Reads `cell` (already trimmed, without a `%`).
    func read(_ cell: UnsafeBufferPointer<UInt8>) -> Reading {
        let count = cell.count
        var start = 0
        if start < count, cell[start] == UInt8(ascii: "-") { start += 1 }
        guard start < count else { return .notANumber }
        var points = 0
        var commas = 0
        var last = -1
        for index in start..<count {
            let byte = cell[index]
            if byte &- UInt8(ascii: "0") <= 9 { continue }
            if byte == UInt8(ascii: ".") {
                points += 1
            } else if byte == UInt8(ascii: ",") {
                commas += 1
            } else {
                return .notANumber
            }
            last = index
        }
        // Where the decimal separator is (`count`: none) and which byte marks thousands.
        var decimal = count
        var grouping: UInt8?
        switch (points, commas) {
        case (0, 0):
            break
        case (1, 0), (0, 1):
            let fraction = count - last - 1
            let integer = last - start
            guard fraction > 0 else { return .notANumber }
            if cell[last] != decimalSeparator, fraction == 3, integer >= 1, integer <= 3, cell[start] != UInt8(ascii: "0") {
                return .ambiguous
            }
            decimal = last
        case (_, 0), (0, _):
            // One kind of mark, several times: thousands only (`1.000.000`).
            grouping = cell[last]
        default:
            // Both: the last one is the decimal separator, once; the other marks thousands.
            let separator = cell[last]
            guard (separator == UInt8(ascii: ".") ? points : commas) == 1, last < count - 1 else { return .notANumber }
            decimal = last
            grouping = separator == UInt8(ascii: ".") ? UInt8(ascii: ",") : UInt8(ascii: ".")
        }
        if let grouping {
            // Groups of three after a first group of one to three digits that does not start with 0.
            guard decimal > start, cell[start] != grouping, cell[start] != UInt8(ascii: "0") else { return .notANumber }
            var run = 0
            var firstGroup = true
            for index in start..<decimal {
                if cell[index] == grouping {
                    guard firstGroup ? (run >= 1 && run <= 3) : run == 3 else { return .notANumber }
                    firstGroup = false
                    run = 0
                } else {
                    run += 1
                }
            }
            guard !firstGroup, run == 3 else { return .notANumber }
        }
        var mantissa: Int64 = 0
        var digits = 0
        var scale: UInt8 = 0
        for index in start..<count where index != decimal {
            let digit = cell[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { continue }  // a thousands mark, checked above
            if mantissa != 0 || digit != 0 { digits += 1 }
            guard digits <= ExactDecimal.maximumDigits else { return .notANumber }
            mantissa = mantissa * 10 + Int64(digit)
            if index > decimal {
                guard scale < UInt8(ExactDecimal.maximumDigits) else { return .notANumber }
                scale += 1
            }
        }
        return .number(ExactDecimal(mantissa: start == 1 ? -mantissa : mantissa, scale: scale))
    }

    /// ``read(_:)`` for text (tests, small inputs).
    func read(_ text: String) -> Reading {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { read(UnsafeBufferPointer($0)) }
    }

    /// ``read(_:)`` for bytes held in an array slice (the `Points Possible` row).
    func read(_ bytes: ArraySlice<UInt8>) -> Reading {
        bytes.withUnsafeBufferPointer { read($0) }
    }
}
