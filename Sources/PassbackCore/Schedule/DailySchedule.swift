import Foundation

/// "Every day at HH:MM" in the school's time zone, for `passback watch`.
///
/// On the day clocks spring forward a time that does not exist (02:30 in America/Denver) runs an
/// hour later by the wall clock (03:30); on the day they fall back a time that happens twice runs
/// once, the first time.
public struct DailySchedule: Sendable, Equatable {
    var hour: Int
    var minute: Int
    var timeZone: TimeZone

    /// Parses `HH:MM` (24-hour clock).
    public init(_ text: String, timeZone: TimeZone) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else {
            throw SettingsError("--daily-at '\(text)' is not a time of day as HH:MM, such as 02:00")
        }
        hour = h
        minute = m
        self.timeZone = timeZone
    }

    /// The first scheduled instant strictly after `date`.
    public func nextRun(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(hour: hour, minute: minute, second: 0)
        return calendar.nextDate(after: date, matching: components, matchingPolicy: .nextTimePreservingSmallerComponents, repeatedTimePolicy: .first, direction: .forward)
            ?? date.addingTimeInterval(86_400)
    }
}
