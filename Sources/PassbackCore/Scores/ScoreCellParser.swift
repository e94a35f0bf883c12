/// Classifies a gradebook score cell from its bytes (spec section 4) without building a string
/// for the common cases: numbers, blanks, `EX`, `N/A`.
struct ScoreCellParser: Sendable {
    /// How the gradebook writes numbers (``GradebookNumberFormat``: its decimal separator,
    /// thousands marks, decimal commas in `,` files).
    let numbers: GradebookNumberFormat
    /// Whether `,` is a decimal separator the fast paths take (`;` files); in `,` files a comma
    /// can only come quoted, which is rare, and goes to the general grammar.
    private let acceptsDecimalComma: Bool

    /// - Parameter separator: the gradebook's field separator; `;` files use decimal commas.
    init(fieldSeparator separator: UInt8) {
        numbers = GradebookNumberFormat(fieldSeparator: separator)
        acceptsDecimalComma = separator == UInt8(ascii: ";")
    }

    /// The longest cell text a report quotes back.
    static let quotedTextLimit = 40

    @inline(__always)
    func parse(_ raw: UnsafeBufferPointer<UInt8>) -> ScoreCell {
        // Most cells are blank or numbers as Canvas writes them (`9.00`); read those without
        // the general grammar's detours.
        if raw.isEmpty { return .blank }
        if let value = Self.twoDecimals(raw, acceptsDecimalComma: acceptsDecimalComma) { return .points(value) }
        if let value = Self.plainNumber(raw, acceptsDecimalComma: acceptsDecimalComma) { return .points(value) }
        // `EX` and `N/A` exactly as Canvas writes them (about one cell in twenty).
        if raw.count == 2, raw[0] == UInt8(ascii: "E"), raw[1] == UInt8(ascii: "X") { return .excused }
        if raw.count == 3, raw[0] == UInt8(ascii: "N"), raw[1] == UInt8(ascii: "/"), raw[2] == UInt8(ascii: "A") { return .notAssigned }
        return parseInGeneral(raw)
    }

    /// The whole grammar; ``parse(_:)-(UnsafeBufferPointer<UInt8>)`` gives the same result faster.
    @inline(never)
    func parseInGeneral(_ raw: UnsafeBufferPointer<UInt8>) -> ScoreCell {
        // Surrounding spaces are not part of a value (spreadsheets add them).
        var start = raw.startIndex
        var end = raw.endIndex
        while start < end, raw[start] == 0x20 || raw[start] == 0x09 { start += 1 }
        while end > start, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
        let cell = UnsafeBufferPointer(rebasing: raw[start..<end])
        if cell.isEmpty { return .blank }
        let first = cell[0]
        if (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: ".") || first == UInt8(ascii: ",") || first == UInt8(ascii: "-") {
            if cell.count == 1, first == UInt8(ascii: "-") { return .blank }
            let isPercent = cell[cell.count - 1] == UInt8(ascii: "%")
            let digits = isPercent ? UnsafeBufferPointer(rebasing: cell[0..<(cell.count - 1)]) : cell
            switch numbers.read(digits) {
            case .number(let value):
                // Any leading `-` is a negative score, `-0` included: no sign is ever dropped.
                if first == UInt8(ascii: "-") { return .invalid(text: Self.quote(cell), reason: .negative) }
                return isPercent ? .percent(value) : .points(value)
            case .ambiguous:
                return .invalid(text: Self.quote(cell), reason: first == UInt8(ascii: "-") ? .negative : .ambiguous)
            case .notANumber:
                return .invalid(text: Self.quote(cell), reason: .unreadable)
            }
        }
        if Self.equalsIgnoringCase(cell, "ex") { return .excused }
        if Self.equalsIgnoringCase(cell, "n/a") { return .notAssigned }
        if Self.equalsIgnoringCase(cell, "complete") || Self.equalsIgnoringCase(cell, "pass") { return .complete }
        if Self.equalsIgnoringCase(cell, "incomplete") || Self.equalsIgnoringCase(cell, "fail") { return .incomplete }
        return .invalid(text: Self.quote(cell), reason: .unreadable)
    }

    /// The value of a cell that is exactly `[0-9]{1,3}[.][0-9]{2}` (`,` too in `;` files), the
    /// shape Canvas gives nearly every score; `nil` for anything else. Branch-free on the digits,
    /// because scores vary too much for a branch predictor. Agrees with
    /// ``GradebookNumberFormat/read(_:)`` wherever it answers (a test checks).
    @inline(__always)
    static func twoDecimals(_ cell: UnsafeBufferPointer<UInt8>, acceptsDecimalComma: Bool) -> ExactDecimal? {
        let count = cell.count
        guard count >= 4, count <= 6, let base = cell.baseAddress else { return nil }
        let point = base[count - 3]
        guard point == UInt8(ascii: ".") || (acceptsDecimalComma && point == UInt8(ascii: ",")) else { return nil }
        let integerDigits = count - 3
        // Digits from the right; the ones left of the integer part read byte 0 again and are
        // multiplied by zero.
        let hundredths = UInt64(base[count - 1] &- UInt8(ascii: "0"))
        let tenths = UInt64(base[count - 2] &- UInt8(ascii: "0"))
        let ones = UInt64(base[count - 4] &- UInt8(ascii: "0"))
        let tens = UInt64(base[max(count - 5, 0)] &- UInt8(ascii: "0"))
        let hundreds = UInt64(base[max(count - 6, 0)] &- UInt8(ascii: "0"))
        let hasTens: UInt64 = integerDigits >= 2 ? 1 : 0
        let hasHundreds: UInt64 = integerDigits >= 3 ? 1 : 0
        let bad =
            (hundredths > 9 ? 1 : 0) | (tenths > 9 ? 1 : 0) | (ones > 9 ? 1 : 0)
            | (hasTens & (tens > 9 ? 1 : 0)) | (hasHundreds & (hundreds > 9 ? 1 : 0))
        guard bad == 0 else { return nil }
        let integer = ones &+ hasTens &* 10 &* tens &+ hasHundreds &* 100 &* hundreds
        let oneDecimal = integer &* 10 &+ tenths
        let twoDecimals = oneDecimal &* 10 &+ hundredths
        // Normalised here already (`9.50` is 95 tenths).
        let mantissa = hundredths != 0 ? twoDecimals : (tenths != 0 ? oneDecimal : integer)
        let scale: UInt8 = hundredths != 0 ? 2 : (tenths != 0 ? 1 : 0)
        return ExactDecimal(normalizedMantissa: Int64(mantissa), scale: scale)
    }

    /// The value of a cell that is exactly `[0-9]+` or `[0-9]+[.][0-9]+` (`,` too in `;` files)
    /// with at most ``ExactDecimal/maximumDigits`` digits, the shape Canvas writes; `nil` for
    /// anything else, which ``parseInGeneral(_:)`` then classifies (among them a `.` followed
    /// by exactly three digits in a `;` file, which may be a thousands mark). Agrees with
    /// ``GradebookNumberFormat/read(_:)`` wherever it answers (a test checks).
    @inline(__always)
    static func plainNumber(_ cell: UnsafeBufferPointer<UInt8>, acceptsDecimalComma: Bool) -> ExactDecimal? {
        guard let base = cell.baseAddress else { return nil }
        let count = cell.count
        // At most 15 digits plus a separator, so the digit limit cannot be exceeded.
        guard count <= ExactDecimal.maximumDigits + 1 else { return nil }
        var index = 0
        var mantissa: Int64 = 0
        while index < count {
            let digit = base[index] &- UInt8(ascii: "0")
            if digit > 9 { break }
            mantissa = mantissa &* 10 &+ Int64(digit)
            index += 1
        }
        guard index > 0 else { return nil }
        if index == count {
            return count <= ExactDecimal.maximumDigits ? ExactDecimal(normalizedMantissa: mantissa, scale: 0) : nil
        }
        let separator = base[index]
        guard separator == UInt8(ascii: ".") || (acceptsDecimalComma && separator == UInt8(ascii: ",")), index + 1 < count else { return nil }
        // `1.000` in a `;` file: a thousand or one; the grammar says which it cannot tell.
        if acceptsDecimalComma, separator == UInt8(ascii: "."), count - index - 1 == 3, index <= 3, base[0] != UInt8(ascii: "0") { return nil }
        var fractionEnd = index + 1
        while fractionEnd < count {
            if base[fractionEnd] &- UInt8(ascii: "0") > 9 { return nil }
            fractionEnd += 1
        }
        // Trailing zeros of the fraction do not change the value; leaving them out keeps the
        // result normalised without dividing.
        while fractionEnd > index + 1, base[fractionEnd - 1] == UInt8(ascii: "0") { fractionEnd -= 1 }
        var position = index + 1
        while position < fractionEnd {
            mantissa = mantissa &* 10 &+ Int64(base[position] &- UInt8(ascii: "0"))
            position += 1
        }
        return ExactDecimal(normalizedMantissa: mantissa, scale: UInt8(truncatingIfNeeded: fractionEnd - index - 1))
    }

    /// Convenience for tests and small inputs.
    func parse(_ text: String) -> ScoreCell {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    /// ASCII case-insensitive comparison with a lowercase ASCII literal.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        for i in 0..<bytes.count {
            var b = bytes[i]
            if b >= UInt8(ascii: "A"), b <= UInt8(ascii: "Z") { b |= 0x20 }
            if b != literal[i] { return false }
        }
        return true
    }

    /// The cell as the report quotes it: valid UTF-8 kept, invalid bytes shown as U+FFFD, cut.
    static func quote(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.count > quotedTextLimit else { return text }
        return String(text.prefix(quotedTextLimit)) + "…"
    }
}
