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

    /// The first scheduled instant strictly after `date`: today's (in the school's zone) if it
    /// is still to come, else tomorrow's. Each day has exactly one: on the day clocks fall back,
    /// a time that happens twice runs the first time only (asked again after that run, the
    /// answer is tomorrow, not the second 01:30); on the day they spring forward, a time that does
    /// not exist runs when the clock has moved past it (02:30 runs at 03:30).
    public func nextRun(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: date)
        if let run = occurrence(on: today, calendar), run > date { return run }
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: today) ?? today.addingTimeInterval(86_400)
        return occurrence(on: calendar.startOfDay(for: tomorrow.addingTimeInterval(3 * 3600)), calendar) ?? date.addingTimeInterval(86_400)
    }

    /// The day's first instant at the schedule's time (or just after it, when it does not exist).
    private func occurrence(on startOfDay: Date, _ calendar: Calendar) -> Date? {
        let components = DateComponents(hour: hour, minute: minute, second: 0)
        // `nextDate(after:)` is strictly after: start one second before midnight for 00:00.
        return calendar.nextDate(
            after: startOfDay.addingTimeInterval(-1), matching: components, matchingPolicy: .nextTimePreservingSmallerComponents, repeatedTimePolicy: .first, direction: .forward)
    }
}
