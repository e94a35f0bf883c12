/// The fetch stage's limits and timings. The defaults are what a district's nightly fetch
/// should use; tests shorten the waits by configuration rather than sleeping long.
public struct FetchTuning: Sendable, Equatable {
    /// Requests in flight, and how they slow down on a low quota.
    var rateLimit = RequestGate.Policy()
    /// Courses worked on at once: more than the requests in flight, so that a course waiting
    /// to retry does not leave a request slot idle. Bounds memory: a course's parsed
    /// submissions are held until its gradebook is written.
    var coursesInFlight = 8
    /// Time for one whole exchange, body included.
    var requestTimeout: Duration = .seconds(60)
    var retry = RetryPolicy()
    /// Canvas's largest page (its `per_page` cap).
    var perPage = 100
    /// A larger page is refused (one page of 100 submissions is tens of KiB).
    var maximumPageSize = 64 << 20
    /// A list with more pages is refused rather than followed forever.
    var maximumPages = 100_000

    public init() {}

    public static let standard = FetchTuning()
}
