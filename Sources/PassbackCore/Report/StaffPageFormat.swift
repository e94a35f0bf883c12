import Foundation

/// How the staff page writes numbers, dates, durations and outcomes: for people reading it with
/// their coffee, not for programs (`12,345`, `Wed 1 Oct 2025, 03:00 MDT`, `4 min 12 s`).
///
/// English only and fixed (no locale of the machine that ran): the page of a run must read the
/// same whoever regenerates it.
struct StaffPageFormat: Sendable {
    let timeZone: TimeZone
    private let calendar: Calendar

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// `98,123`: digits grouped by three with commas.
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        grouped.reserveCapacity(digits.utf8.count + digits.utf8.count / 3 + 1)
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.utf8.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `1 file`, `2,000 files`.
    static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(number(value)) \(value == 1 ? singular : plural ?? singular + "s")"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Wed 1 Oct 2025, 03:00 MDT` in the school's zone.
    func dateTime(_ instant: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: instant)
        let hour = parts.hour ?? 0
        let minute = parts.minute ?? 0
        return "\(day(parts)), \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute) \(zoneAbbreviation(at: instant))"
    }

    /// `Wed 1 Oct 2025` in the school's zone.
    func date(_ instant: Date) -> String {
        day(calendar.dateComponents([.year, .month, .day, .weekday], from: instant))
    }

    /// `1 Oct` in the school's zone, for the chart's axis.
    func shortDate(_ instant: Date) -> String {
        let parts = calendar.dateComponents([.month, .day], from: instant)
        return "\(parts.day ?? 1) \(Self.months[((parts.month ?? 1) - 1) % 12])"
    }

    private func day(_ parts: DateComponents) -> String {
        let weekday = Self.weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = Self.months[((parts.month ?? 1) - 1) % 12]
        return "\(weekday) \(parts.day ?? 1) \(month) \(parts.year ?? 0)"
    }

    /// `MDT`, or `UTC-6` where the zone data has no letters for it.
    private func zoneAbbreviation(at instant: Date) -> String {
        if let letters = timeZone.abbreviation(for: instant), letters.first?.isLetter == true, !letters.hasPrefix("GMT") {
            return letters
        }
        let seconds = timeZone.secondsFromGMT(for: instant)
        guard seconds != 0 else { return "UTC" }
        let hours = abs(seconds) / 3600
        let minutes = abs(seconds) % 3600 / 60
        return "UTC\(seconds < 0 ? "-" : "+")\(hours)\(minutes > 0 ? ":\(minutes < 10 ? "0" : "")\(minutes)" : "")"
    }

    /// `0.4 s`, `42 s`, `4 min 12 s`, `2 h 5 min`.
    static func duration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "unknown" }
        if seconds < 10 {
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// A run's mode in plain words.
    static func mode(_ mode: PassbackHeader.Mode) -> String {
        switch mode {
        case .incremental: "incremental (grades that changed)"
        case .bulk: "bulk (every current grade)"
        }
    }

    /// The exit status of `passback run` in words (README, "Exit status of run").
    static func exitStatus(_ code: Int32?) -> String {
        switch code {
        case nil: "not finished: the run stopped, and the next run finishes it"
        case 0?: "0: every request succeeded"
        case 1?: "1: errors were reported or a file was rejected; see what to fix below"
        case let code?: "\(code): the run did not complete normally"
        }
    }

    /// One word for a run's outcome, beside its colour: `OK`, `Errors`, `Unfinished`.
    static func verdict(_ code: Int32?) -> (word: String, style: String) {
        switch code {
        case nil: ("Unfinished", "unfinished")
        case 0?: ("OK", "ok")
        default: ("Errors", "errors")
        }
    }
}
