/// An exact base-10 number: `mantissa × 10^-scale`.
///
/// Scores, points and percentages are decimals that teachers type; binary floating point would
/// turn `0.1 + 0.2` into noise and `Double("NaN")` into a grade. Every value the pipeline sends to
/// Aspire or compares with the ledger is an `ExactDecimal`, created only by the strict grammars of
/// ``ExactDecimal/parse(_:)`` and ``GradebookNumberFormat`` (no exponents, signs other than a
/// leading `-`, or non-ASCII digits; thousands marks only as a locale writes them, in a
/// gradebook) or from integers.
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

    /// Parses the strict grammar of numbers in trusted text (JSON, the ledger, category weights):
    /// `-?[0-9]*([.][0-9]+)?` with at least one digit and at most ``maximumDigits`` digits.
    /// Returns `nil` for anything else (empty text, `NaN`, `inf`, `0x1p3`, `1e5`, `+1`, `1,234.5`,
    /// `٣`, `１`, a trailing `.`). Gradebook cells, which a locale or a spreadsheet writes, go
    /// through ``GradebookNumberFormat``.
    static func parse<Bytes: Collection>(_ bytes: Bytes) -> ExactDecimal?
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
            } else if !seenSeparator, byte == UInt8(ascii: ".") {
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
    static func parse(_ text: String) -> ExactDecimal? {
        parse(Array(text.utf8))
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

    /// A JSON number that Canvas computed in floating point (a submission's `score`, such as
    /// `7.333333333333333`), rounded half up (away from zero) to `places` decimals from its
    /// shortest round-trip spelling, as ActiveSupport's `number_to_rounded` does for Canvas's
    /// gradebook export. `nil` for NaN, infinities and values that keep more than
    /// ``maximumDigits`` digits.
    init?(jsonNumber value: Double, roundedTo places: Int) {
        guard value.isFinite, places >= 0, places <= 6 else { return nil }
        let text = "\(value.magnitude)"
        var digits: [UInt8] = []
        var integerDigits = 0
        var exponent = 0
        var seenPoint = false
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let e = Int(text[text.index(after: index)...]) else { return nil }
                exponent = e
                break
            } else if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                guard byte &- UInt8(ascii: "0") <= 9 else { return nil }
                digits.append(byte - UInt8(ascii: "0"))
                if !seenPoint { integerDigits += 1 }
            }
            index = utf8.index(after: index)
        }
        // value = 0.d1d2d3... × 10^(integerDigits + exponent); keep that many digits plus `places`.
        let keep = integerDigits + exponent + places
        guard keep <= digits.count + 18 else { return nil }
        var mantissa: Int64 = 0
        var significant = 0
        for position in 0..<max(keep, 0) {
            let digit = position < digits.count ? Int64(digits[position]) : 0
            if mantissa != 0 || digit != 0 { significant += 1 }
            guard significant <= Self.maximumDigits else { return nil }
            mantissa = mantissa * 10 + digit
        }
        if keep >= 0, keep < digits.count, digits[keep] >= 5 {
            mantissa += 1
            guard mantissa < 1_000_000_000_000_000 else { return nil }
        }
        self.init(mantissa: value < 0 ? -mantissa : mantissa, scale: UInt8(places))
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
