/// The characters XML 1.0 can carry (`#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
/// [#x10000-#x10FFFF]`). Text from the inputs is checked before it reaches the writer: an id with a
/// control character is refused with a report row (an id must go out exactly or not at all); a
/// title has such characters replaced, as they could not be shown anyway.
enum XMLCharacters {
    @inline(__always)
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    static func isWritable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isAllowed)
    }

    /// Whether `text` reaches a reader of an `xs:token` (the schema's student, section, term and
    /// school ids) exactly as written: XML can carry it, and whitespace collapsing leaves it
    /// unchanged (no tab, line break, leading or trailing space, or two spaces in a row). A
    /// reader that collapses would otherwise match `604  863` or `604<tab>863` as `604 863`, a
    /// student the id was not; such ids are reported, not sent.
    static func isExactToken(_ text: String) -> Bool {
        var previousWasSpace = true  // no leading space
        for scalar in text.unicodeScalars {
            guard isAllowed(scalar), scalar != "\t", scalar != "\n", scalar != "\r" else { return false }
            let isSpace = scalar == " "
            if isSpace, previousWasSpace { return false }
            previousWasSpace = isSpace
        }
        return !text.isEmpty && !previousWasSpace
    }

    /// `text` with every character XML cannot carry replaced by U+FFFD.
    static func sanitized(_ text: String) -> String {
        guard !isWritable(text) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
        }
        return String(scalars)
    }
}
