import Foundation

/// Turns instants into the school's local dates, and reads the ISO 8601 timestamps that Canvas
/// and Aspire write.
public struct SchoolCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// - Throws: ``SettingsError`` when the zone identifier is unknown to the system's tz data.
    public init(timeZoneIdentifier: String) throws {
        guard let zone = TimeZone(identifier: timeZoneIdentifier) else {
            throw SettingsError("unknown time zone '\(timeZoneIdentifier)'; use an IANA name such as America/Denver")
        }
        self.init(timeZone: zone)
    }

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The date on the school's wall calendar at `instant`.
    ///
    /// Remembered per instant: a district's assignments share a few hundred due and unlock
    /// times, and Foundation's calendar arithmetic was 3% of a run.
    func localDate(of instant: Date) -> LocalDate {
        if let known = cache.get(instant) { return known }
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        let date = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
        cache.set(instant, date)
        return date
    }

    private let cache = LocalDateCache()
}

/// Instants already turned into local dates, shared by the threads of a run (bounded).
private final class LocalDateCache: @unchecked Sendable {
    // @unchecked: `dates` is touched only under `lock`.
    private let lock = NSLock()
    private var dates: [Date: LocalDate] = [:]

    func get(_ instant: Date) -> LocalDate? {
        lock.withLock { dates[instant] }
    }

    func set(_ instant: Date, _ date: LocalDate) {
        lock.withLock {
            if dates.count >= 4096 { dates.removeAll(keepingCapacity: true) }
            dates[instant] = date
        }
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without Foundation when there is nothing to trim
    /// (both ends ASCII and not blank).
    var trimmedOfWhitespaces: String {
        let utf8 = self.utf8
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        return trimmingCharacters(in: .whitespaces)
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, the same way.
    var trimmedOfWhitespacesAndNewlines: String {
        let utf8 = self.utf8
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Parses ISO 8601 / RFC 3339 timestamps as Canvas (`2025-09-12T05:59:59Z`) and Aspire
/// (`2025-08-25T03:00:00.000-06:00`) write them. Strict: a date-time with a zone designator, or a
/// bare `YYYY-MM-DD` (taken as midnight UTC).
public enum ISOTimestamp {
    public static func parse(_ text: String) -> Date? {
        // Fast path: nothing to trim (the ends are ASCII and not blank), no Foundation.
        var text = text
        if let fast = text.withUTF8({ parseUntrimmed($0) }) { return fast }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.utf8.count == 10, let date = LocalDate(iso: trimmed) {
            var parts = DateComponents()
            parts.year = date.year
            parts.month = date.month
            parts.day = date.day
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            return utc.date(from: parts)
        }
        return parseDateTime(Array(trimmed.utf8))
    }

    /// ``parse(_:)`` of UTF-8 bytes.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        if let fast = parseUntrimmed(bytes) { return fast }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    /// The fast path: text whose ends are ASCII and not blank (nothing to trim), read without
    /// Foundation. `.some(nil)` is a refusal; `nil` means Foundation must decide.
    private static func parseUntrimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> Date?? {
        guard let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 else { return nil }
        if bytes.count == 10 {
            guard let date = LocalDate(isoBytes: bytes) else { return .some(nil) }
            // Foundation's Gregorian calendar is Julian before 1582; leave those to it.
            guard date.year >= 1583 else { return nil }
            return Date(timeIntervalSince1970: Double(daysFromCivil(year: date.year, month: date.month, day: date.day) * 86_400))
        }
        return .some(parseDateTime(bytes))
    }

    private static func parseDateTime(_ b: [UInt8]) -> Date? {
        b.withUnsafeBufferPointer { parseDateTime($0) }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`.
    private static func parseDateTime(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count >= 20, let date = LocalDate(isoBytes: UnsafeBufferPointer(rebasing: b[0..<10])),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in b[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < b.count, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                fraction += Double(b[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offsetSeconds = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
            let rest = Array(UnsafeBufferPointer(rebasing: b[(index + 1)...]))
            let digits: [UInt8]
            if rest.count == 5, rest[2] == UInt8(ascii: ":") {
                digits = Array(rest[0..<2] + rest[3..<5])
            } else if rest.count == 4 {
                digits = rest
            } else {
                return nil
            }
            guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            let h = Int(digits[0] - 48) * 10 + Int(digits[1] - 48)
            let m = Int(digits[2] - 48) * 10 + Int(digits[3] - 48)
            guard h < 24, m < 60 else { return nil }
            offsetSeconds = sign * (h * 3600 + m * 60)
        default:
            return nil
        }
        let days = daysFromCivil(year: date.year, month: date.month, day: date.day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `2026-11-27T09:00:00Z`: the form the project writes.
    public static func format(_ date: Date) -> String {
        var seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let civil = civilFromDays(days)
        func pad(_ v: Int, _ w: Int = 2) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(pad(civil.year, 4))-\(pad(civil.month))-\(pad(civil.day))T\(pad(seconds / 3600)):\(pad(seconds % 3600 / 60)):\(pad(seconds % 60))Z"
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
