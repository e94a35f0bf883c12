/// How many requests are in flight, and how fast they may go: at most four at once (spec
/// section 8), fewer when Canvas says the quota is running low.
///
/// Canvas throttles each token with a leaky bucket (canvas-lms
/// `app/middleware/request_throttle.rb`): every response says how much quota is left in
/// `X-Rate-Limit-Remaining` (600 when idle, by default), each request in flight holds an
/// up-front cost of 50 until it ends, and an empty bucket answers `403 Forbidden (Rate Limit
/// Exceeded)`. The bucket drains at about 10 units a second. So when the quota falls below
/// ``Policy/singleFileBelow`` the gate lets one request through at a time (no up-front costs
/// stacking up), and below ``Policy/pauseBelow`` it also waits long enough for the bucket to
/// drain back to that level before sending. A rate-limited answer counts as a quota of zero.
actor RequestGate {
    struct Policy: Sendable, Equatable {
        /// The most requests in flight at once.
        var maximumInFlight = 4
        /// Below this remaining quota, one request at a time (4 × 50 up-front, and a margin).
        var singleFileBelow = 300.0
        /// Below this remaining quota, wait for it to refill before the next request.
        var pauseBelow = 100.0
        /// Units of quota Canvas gives back per second (its default outflow).
        var refillPerSecond = 10.0
        /// The longest single wait for the quota.
        var maximumPause: Duration = .seconds(30)
    }

    let policy: Policy
    private var inFlight = 0
    /// The quota the last response reported, or what it is assumed to be after a pause.
    private var remaining: Double?
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The most requests that were ever in flight at once (for tests and the summary).
    private(set) var highestInFlight = 0
    /// How many times a request waited for the quota.
    private(set) var pauses = 0

    init(policy: Policy) {
        self.policy = policy
    }

    private var limit: Int {
        if let remaining, remaining < policy.singleFileBelow { return 1 }
        return max(1, policy.maximumInFlight)
    }

    /// Waits for a slot; returns how long to wait for the quota before sending (zero when it is
    /// high enough). Call ``leave(remaining:)`` when the exchange is over, whatever its outcome.
    func enter() async -> Duration {
        while inFlight >= limit {
            await withCheckedContinuation { waiters.append($0) }
        }
        inFlight += 1
        highestInFlight = max(highestInFlight, inFlight)
        guard let left = remaining, left < policy.pauseBelow else { return .zero }
        let seconds = (policy.pauseBelow - left) / max(policy.refillPerSecond, 0.001)
        let pause = min(policy.maximumPause, .milliseconds(Int64((seconds * 1000).rounded(.up))))
        // After the pause the bucket has drained that far; the next response says for sure.
        remaining = policy.pauseBelow
        pauses += 1
        return pause
    }

    /// Ends an exchange; `remaining` is the quota it reported, if it reported one.
    func leave(remaining reported: Double?) {
        inFlight -= 1
        if let reported { remaining = reported }
        let woken = waiters
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }

    /// Parses `X-Rate-Limit-Remaining` (Canvas writes a float, `599.3`).
    static func quota(_ text: String?) -> Double? {
        guard let text = text?.trimmingASCIISpaces(), !text.isEmpty, text.utf8.count <= 32,
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
            let value = Double(text), value.isFinite
        else { return nil }
        return value
    }
}
