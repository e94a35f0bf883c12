import Foundation

/// The stored form of a ``SectionHistory``: UTF-8 text, one record per line, fields separated by
/// tabs, `\` escapes for tab, newline and backslash in identifiers. Plain text so an operator can
/// read it with `sqlite3`; one row per section so a district's history loads in thousands of
/// reads, not millions.
///
/// Results: `id \t sent \t sentAt \t seen \t seenSince` (grades as ``GradeValue/ledgerText``,
/// times as Unix seconds, empty for none). Line items: `id \t title \t category \t assign \t due \t max`.
enum SectionHistoryCoding {
    static func encode(_ history: SectionHistory) -> (results: Data, lineItems: Data) {
        var results = ""
        for id in history.results.keys.sorted() {
            let s = history.results[id]!
            results += escape(id) + "\t" + (s.sent?.ledgerText ?? "") + "\t" + time(s.sentAt) + "\t" + (s.seen?.ledgerText ?? "") + "\t" + time(s.seenSince) + "\n"
        }
        var items = ""
        for id in history.lineItems.keys.sorted() {
            let f = history.lineItems[id]!
            items += escape(id) + "\t" + escape(f.title) + "\t" + escape(f.categorySourcedID) + "\t" + f.assignDate.description + "\t" + f.dueDate.description + "\t" + f.resultValueMax.description + "\n"
        }
        return (Data(results.utf8), Data(items.utf8))
    }

    static func decode(results: Data, lineItems: Data) throws -> SectionHistory {
        var history = SectionHistory()
        for line in String(decoding: results, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 5 else { throw LedgerError("a section history record has \(f.count) fields") }
            history.results[unescape(f[0])] = ResultState(
                sent: f[1].isEmpty ? nil : GradeValue(ledgerText: String(f[1])),
                sentAt: date(f[2]), seen: f[3].isEmpty ? nil : GradeValue(ledgerText: String(f[3])), seenSince: date(f[4])
            )
        }
        for line in String(decoding: lineItems, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 6, let assign = LocalDate(iso: f[3]), let due = LocalDate(iso: f[4]), let max = ExactDecimal.parse(String(f[5])) else {
                throw LedgerError("a line item history record is damaged")
            }
            history.lineItems[unescape(f[0])] = LineItemFingerprint(title: unescape(f[1]), categorySourcedID: unescape(f[2]), assignDate: assign, dueDate: due, resultValueMax: max)
        }
        return history
    }

    private static func time(_ date: Date?) -> String {
        date.map { String(Int64($0.timeIntervalSince1970.rounded())) } ?? ""
    }

    private static func date(_ field: Substring) -> Date? {
        Int64(field).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return text }
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(c)
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// The ledger is damaged or refused an operation.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
