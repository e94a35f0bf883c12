/// Why a run did not end normally, as its caller needs to tell the cases apart: a struct over a
/// private code (the shape of async-http-client's `HTTPClientError`), matched by ``kind``, so
/// new kinds can be added without breaking a caller's `switch`.
///
/// ```swift
/// catch let error as RunError where error.kind == .busy { ... }
/// ```
public struct RunError: Error, Sendable, CustomStringConvertible {
    fileprivate enum Code: Sendable, Equatable {
        case settings, workspace, ledger, clock, busy, stoppedPartWay
    }

    /// What went wrong, to match on.
    public struct Kind: Sendable, Equatable, CustomStringConvertible {
        fileprivate let code: Code

        /// `passback.toml` or an argument is wrong: nothing was done (exit 2).
        public static let settings = Kind(code: .settings)
        /// The workspace cannot be used (not a folder, not writable, the inbox on another file
        /// system): nothing was done (exit 2).
        public static let workspace = Kind(code: .workspace)
        /// The ledger cannot be opened: nothing was done (exit 2).
        public static let ledger = Kind(code: .ledger)
        /// The system clock is earlier than the last finished run's: nothing was done (exit 2).
        public static let clock = Kind(code: .clock)
        /// Another run holds the workspace's lock (exit 75, `EX_TEMPFAIL`): try again later.
        public static let busy = Kind(code: .busy)
        /// The run started and stopped part-way (a full disk, a damaged ledger): what it did is
        /// kept and the next run finishes it (exit 3).
        public static let stoppedPartWay = Kind(code: .stoppedPartWay)

        public var description: String {
            switch code {
            case .settings: "settings"
            case .workspace: "workspace"
            case .ledger: "ledger"
            case .clock: "clock"
            case .busy: "busy"
            case .stoppedPartWay: "stopped part-way"
            }
        }
    }

    public let kind: Kind
    /// One line that says what happened and what to do.
    public let message: String
    /// The run that stopped, for ``Kind/stoppedPartWay``.
    public let runID: String?

    init(_ kind: Kind, _ message: String, runID: String? = nil) {
        self.kind = kind
        self.message = message
        self.runID = runID
    }

    public var description: String { message }

    /// The exit status the contract gives this outcome (spec section 7).
    public var exitStatus: Int32 {
        switch kind.code {
        case .settings, .workspace, .ledger, .clock: 2
        case .busy: 75
        case .stoppedPartWay: 3
        }
    }
}
