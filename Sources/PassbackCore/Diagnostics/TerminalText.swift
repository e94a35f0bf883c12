/// Text made safe to write to a terminal or a log line: the registrars choose the names of the
/// files they drop, and a name is printed in the log (journald, the cron log), in
/// `passback status` and in `passback validate`.
///
/// A line feed or a carriage return in a name would forge a log line
/// (`passback: run finished, 0 errors`); ESC starts the sequences that colour the operator's
/// terminal, set its title or move its cursor; the bidirectional overrides and isolates reorder
/// what is shown, so `evil<U+202E>vsc.xml` reads as `evilmx.csv`. Each of these is written as a
/// visible escape in Swift's spelling (`\n`, `\r`, `\t`, `\u{1B}`, `\u{202E}`), and a backslash
/// as `\\`, so the escaped text still says exactly which bytes the name had. Everything else,
/// accented letters included, is kept as it is. (The CSV report, the staff page and the reason
/// files have their own encodings and do not use this.)
public enum TerminalText {
    /// `text` with C0 and C1 controls, DEL, the bidirectional overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) and backslashes escaped.
    public static func escaping(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                escaped.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "\\": escaped += "\\\\"
            default: escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return escaped
    }

    /// Whether `scalar` is written as an escape.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x5C: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
