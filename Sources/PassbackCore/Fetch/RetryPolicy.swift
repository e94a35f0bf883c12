import Foundation

/// When to try a call again (spec section 8): a `403` saying `Rate Limit Exceeded`, a `429`, a
/// `5xx`, a reset connection, a body cut short or a timeout are worth another try; at most
/// ``maximumTries`` tries per call, spaced by exponential backoff with jitter, and never sooner
/// than Canvas's `Retry-After`.
///
/// The jitter is "equal jitter": half the backoff fixed, half random, so clients that failed
/// together do not retry together, and two tries of one call are always at least half the
/// backoff apart.
struct RetryPolicy: Sendable, Equatable {
    var maximumTries = 5
    /// The backoff before the second try; doubled for each further try.
    var baseDelay: Duration = .seconds(1)
    var maximumDelay: Duration = .seconds(60)
    /// A `Retry-After` longer than this is cut to it (a nightly fetch must end).
    var maximumRetryAfter: Duration = .seconds(300)

    /// How long to wait before try `tryNumber` (2 for the first retry).
    func delay(beforeTry tryNumber: Int, retryAfter: Duration?, random: inout some RandomNumberGenerator) -> Duration {
        let doublings = max(0, min(tryNumber - 2, 30))
        var backoff = baseDelay * (1 << doublings)
        if backoff > maximumDelay { backoff = maximumDelay }
        let half = backoff / 2
        let randomMilliseconds = Int64.random(in: 0...max(0, Self.milliseconds(half)), using: &random)
        let jittered = half + .milliseconds(randomMilliseconds)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maximumRetryAfter))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// `Retry-After`: delta seconds, or an HTTP date (RFC 9110), relative to `now`.
    static func retryAfter(_ text: String?, now: Date = Date()) -> Duration? {
        guard let text = text?.trimmingASCIISpaces(), !text.isEmpty else { return nil }
        if text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int64(text) {
            return .seconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
