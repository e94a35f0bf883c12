/// An exact base-10 number: `mantissa × 10^-scale`.
///
/// Scores, points and percentages are decimals that teachers type; binary floating point would
/// turn `0.1 + 0.2` into noise and `Double("NaN")` into a grade. Every value the pipeline sends to
/// Aspire or compares with the ledger is an `ExactDecimal`, created only by the strict grammar in
/// ``ExactDecimal/parse(_:decimalSeparators:)-(String,_)`` (no exponents, signs other than a leading `-`,
/// thousands separators or non-ASCII digits) or from integers.
///
/// Values are kept normalised (no trailing zeros in the fraction), so `9`, `9.0` and `9.00` are
/// equal by `==` and print the same.
struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits, with the sign.
    private(set) var mantissa: Int64
    /// How many of the mantissa's digits are after the decimal point (0...18).
    private(set) var scale: UInt8

    /// The largest number of significant digits a parsed value may have; keeps every product of
    /// two parsed values inside `Int64`.
    static let maximumDigits = 15

    static let zero = ExactDecimal(0)

    init(_ integer: Int64) {
        mantissa = integer
        scale = 0
    }

    /// Creates `mantissa × 10^-scale`, normalised.
    init(mantissa: Int64, scale: UInt8) {
        self.mantissa = mantissa
        self.scale = scale
        normalize()
    }

    /// `mantissa × 10^-scale` for a value that is normalised already (no trailing zero in the
    /// fraction), as the score-cell fast paths produce it; skips the normalising loop, whose
    /// unpredictable branch costs about 3% of reading a gradebook.
    init(normalizedMantissa mantissa: Int64, scale: UInt8) {
        assert(scale == 0 || mantissa % 10 != 0, "not normalised")
        self.mantissa = mantissa
        self.scale = scale
    }

    private mutating func normalize() {
        while scale > 0, mantissa % 10 == 0 {
            mantissa /= 10
            scale -= 1
        }
    }

    var isNegative: Bool { mantissa < 0 }
    var isZero: Bool { mantissa == 0 }

    /// Parses the strict score grammar from bytes: `-?[0-9]*([sep][0-9]+)?` with at least one
    /// digit, at most ``maximumDigits`` digits, where `sep` is one of `decimalSeparators`.
    /// Returns `nil` for anything else (empty text, `NaN`, `inf`, `0x1p3`, `1e5`, `+1`, `1,234.5`,
    /// `٣`, `１`, a trailing `.`).
    static func parse<Bytes: Collection>(_ bytes: Bytes, decimalSeparators: DecimalSeparators = .point) -> ExactDecimal?
    where Bytes.Element == UInt8 {
        var index = bytes.startIndex
        guard index != bytes.endIndex else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index = bytes.index(after: index)
        }
        var mantissa: Int64 = 0
        var digits = 0
        var anyDigit = false
        var scale: UInt8 = 0
        var seenSeparator = false
        var digitsAfterSeparator = 0
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                anyDigit = true
                // Leading zeros do not count toward the limit.
                if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                guard digits <= maximumDigits else { return nil }
                mantissa = mantissa * 10 + Int64(byte - UInt8(ascii: "0"))
                if seenSeparator {
                    digitsAfterSeparator += 1
                    guard digitsAfterSeparator <= maximumDigits else { return nil }
                    scale += 1
                }
            } else if !seenSeparator, decimalSeparators.contains(byte) {
                seenSeparator = true
            } else {
                return nil
            }
            index = bytes.index(after: index)
        }
        guard anyDigit else { return nil }
        if seenSeparator, digitsAfterSeparator == 0 { return nil }
        return ExactDecimal(mantissa: negative ? -mantissa : mantissa, scale: scale)
    }

    /// Parses the strict grammar from a string (for values from trusted JSON or the ledger).
    static func parse(_ text: String, decimalSeparators: DecimalSeparators = .point) -> ExactDecimal? {
        parse(Array(text.utf8), decimalSeparators: decimalSeparators)
    }

    /// Converts a JSON number that Foundation decoded as `Double` (points possible) by its
    /// shortest round-trip spelling, so `0.1` is exactly one tenth. `nil` for NaN, infinities and
    /// values with more than ``maximumDigits`` significant digits.
    init?(jsonNumber value: Double) {
        guard value.isFinite else { return nil }
        let text = "\(value)"
        // Swift spells large and small magnitudes with an exponent: "1e-05", "1.5e+20".
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let base = ExactDecimal.parse(String(text[..<e])), let exponent = Int(text[text.index(after: e)...])
            else { return nil }
            var mantissa = base.mantissa
            var scale = Int(base.scale) - exponent
            while scale < 0 {
                let (product, overflow) = mantissa.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                mantissa = product
                scale += 1
            }
            guard scale <= 18 else { return nil }
            self.init(mantissa: mantissa, scale: UInt8(scale))
        } else {
            guard let parsed = ExactDecimal.parse(text) else { return nil }
            self = parsed
        }
    }

    /// `self × other`, or `nil` on overflow.
    func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        guard !overflow else { return nil }
        var scale = Int(self.scale) + Int(other.scale)
        var mantissa = product
        // Keep at most 18 fractional digits; only reachable with absurd inputs.
        while scale > 18 {
            mantissa /= 10
            scale -= 1
        }
        return ExactDecimal(mantissa: mantissa, scale: UInt8(scale))
    }

    /// `self / 100`, exact.
    func dividedByHundred() -> ExactDecimal? {
        guard scale <= 16 else { return nil }
        return ExactDecimal(mantissa: mantissa, scale: scale + 2)
    }

    /// Brings both values to a common scale for comparison; `nil` if that overflows.
    private static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int64, Int64)? {
        var x = a.mantissa
        var y = b.mantissa
        var sa = a.scale
        var sb = b.scale
        while sa < sb {
            let (p, o) = x.multipliedReportingOverflow(by: 10)
            if o { return nil }
            x = p
            sa += 1
        }
        while sb < sa {
            let (p, o) = y.multipliedReportingOverflow(by: 10)
            if o { return nil }
            y = p
            sb += 1
        }
        return (x, y)
    }

    static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if let (x, y) = aligned(lhs, rhs) { return x < y }
        // Overflow while aligning means magnitudes differ hugely; compare the integer parts.
        return lhs.integerPart < rhs.integerPart
    }

    private var integerPart: Int64 {
        var m = mantissa
        for _ in 0..<scale { m /= 10 }
        return m
    }

    /// Plain decimal notation, never an exponent: `9`, `8.5`, `-0.25`, `0.001`.
    var description: String {
        if scale == 0 { return String(mantissa) }
        let negative = mantissa < 0
        var digits = String(mantissa.magnitude)
        let s = Int(scale)
        if digits.count <= s {
            digits = String(repeating: "0", count: s - digits.count + 1) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -s)
        return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
    }
}

/// The bytes accepted as a decimal separator in score cells.
struct DecimalSeparators: Sendable, Equatable {
    var bytes: [UInt8]

    /// `.` only: gradebooks separated by `,`.
    static let point = DecimalSeparators(bytes: [UInt8(ascii: ".")])
    /// `.` or `,`: gradebooks separated by `;`, which Canvas writes with decimal commas.
    static let pointOrComma = DecimalSeparators(bytes: [UInt8(ascii: "."), UInt8(ascii: ",")])

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool { bytes.contains(byte) }
}
