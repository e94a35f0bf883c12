/// Classifies a gradebook score cell from its bytes (spec section 4) without building a string
/// for the common cases: numbers, blanks, `EX`, `N/A`.
public struct ScoreCellParser: Sendable {
    public let decimalSeparators: DecimalSeparators

    /// - Parameter separator: the gradebook's field separator; `;` files use decimal commas.
    public init(fieldSeparator separator: UInt8) {
        decimalSeparators = separator == UInt8(ascii: ";") ? .pointOrComma : .point
    }

    /// The longest cell text a report quotes back.
    static let quotedTextLimit = 40

    public func parse(_ raw: UnsafeBufferPointer<UInt8>) -> ScoreCell {
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
            if let value = ExactDecimal.parse(digits, decimalSeparators: decimalSeparators) {
                if value.isNegative { return .invalid(text: Self.quote(cell), reason: .negative) }
                return isPercent ? .percent(value) : .points(value)
            }
            return .invalid(text: Self.quote(cell), reason: .unreadable)
        }
        if Self.equalsIgnoringCase(cell, "ex") { return .excused }
        if Self.equalsIgnoringCase(cell, "n/a") { return .notAssigned }
        if Self.equalsIgnoringCase(cell, "complete") || Self.equalsIgnoringCase(cell, "pass") { return .complete }
        if Self.equalsIgnoringCase(cell, "incomplete") || Self.equalsIgnoringCase(cell, "fail") { return .incomplete }
        return .invalid(text: Self.quote(cell), reason: .unreadable)
    }

    /// Convenience for tests and small inputs.
    public func parse(_ text: String) -> ScoreCell {
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
