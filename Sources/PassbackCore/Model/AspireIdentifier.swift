/// What the passback schema's `AspireIdentifier` type takes (a `CategorySourcedId`; the
/// contract's "token of 1 to 60 characters" for category ids): 1 to 60 characters, none of them
/// a space or a control character. Category exports are checked with it as they are read.
enum AspireIdentifier {
    static let maximumLength = 60

    /// Why `text` cannot be an Aspire id.
    enum Problem: Sendable, Equatable {
        case empty, tooLong, space, controlCharacter
    }

    /// Why `text` cannot be an Aspire id, or `nil` when it can.
    static func problem(_ text: String) -> Problem? {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || !XMLCharacters.isAllowed(scalar) { return .controlCharacter }
            if scalar.properties.isWhitespace { return .space }
        }
        if count == 0 { return .empty }
        return count > maximumLength ? .tooLong : nil
    }

    static func isValid(_ text: String) -> Bool {
        problem(text) == nil
    }
}
