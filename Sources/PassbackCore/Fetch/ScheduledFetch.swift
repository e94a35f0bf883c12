import Foundation

/// `passback watch`'s fetch before each nightly run, when the `[canvas]` table of
/// `passback.toml` names a Canvas address (with an account and a term).
///
/// A fetch that fails in part or whole never stops the night: the run goes on with what is in
/// the inbox, and the log says what was not fetched. The files a fetch writes are claimed by a
/// run once they are older than the settle time, like any drop, so the run waits that long
/// after the fetch (``Outcome/claimableAt``).
public struct ScheduledFetch: Sendable {
    let workspace: Workspace
    let settings: Settings
    let environment: [String: String]

    /// `nil` when the settings name no Canvas address: the watch runs on dropped files only.
    /// - Throws: ``SettingsError`` when `[canvas]` is there but the fetch could not start (no
    ///   account or term, no token, a token file others can read): the watch refuses to start
    ///   rather than find out at night.
    public init?(workspace: Workspace, settings: Settings, environment: [String: String]) throws {
        guard settings.canvas?.url != nil else { return nil }
        self.workspace = workspace
        self.settings = settings
        self.environment = environment
        let plan = try FetchPlan.resolve(FetchArguments(), settings: settings, root: workspace.root, environment: environment)
        guard case .term = plan.selection else {
            throw SettingsError("[canvas] in passback.toml needs account and term for watch to fetch a term's courses")
        }
    }

    public struct Outcome: Sendable {
        /// The summary line, or why the fetch stopped.
        public var line: String
        /// Whether every course was written.
        public var succeeded: Bool
        /// When the files written can be claimed by a run (`nil` when none were written).
        public var claimableAt: Date?
    }

    /// Fetches the term now (blocking the calling thread, which must not be one of Swift's
    /// concurrency pool; see ``blockingWait(_:)``).
    public func run(transport: any CanvasTransport, progress: @escaping @Sendable (String) -> Void) -> Outcome {
        do {
            let fetch = try CanvasFetch(
                workspace: workspace, settings: settings, arguments: FetchArguments(), environment: environment,
                transport: transport, progress: progress
            )
            let summary = try blockingWait { try await fetch.run() }
            let claimable = summary.written.isEmpty ? nil : Date().addingTimeInterval(TimeInterval(settings.settleSeconds) + 1)
            return Outcome(line: summary.line, succeeded: summary.exitCode == 0, claimableAt: claimable)
        } catch {
            // Some courses may have been written before it stopped.
            return Outcome(line: "fetch stopped: \(error)", succeeded: false, claimableAt: Date().addingTimeInterval(TimeInterval(settings.settleSeconds) + 1))
        }
    }
}
