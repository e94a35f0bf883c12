import Foundation

/// Times for people, in the school's time zone (the ledger and the XML keep UTC): version 1 showed
/// `status` times and `watch`'s next run in UTC, which a registrar in Denver read as seven hours
/// off.
public struct SchoolTime: Sendable {
    let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// ISO 8601 with the zone's offset at that instant: `2025-10-01T03:00:00-06:00`.
    public func format(_ date: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let local = ISOTimestamp.format(date.addingTimeInterval(TimeInterval(offset)))
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return String(local.dropLast()) + "\(sign)\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    /// A UTC timestamp as the ledger stores it, in the school's zone; as it is when it does not
    /// parse.
    func format(stored text: String?) -> String {
        guard let text else { return "" }
        return ISOTimestamp.parse(text).map(format) ?? text
    }
}
