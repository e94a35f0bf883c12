import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Named places in a run where a test can make the process die at once (`SIGKILL`), to prove
/// that whatever a crash leaves behind, the next run finishes it: nothing lost, nothing sent
/// twice under different values.
///
/// Armed by `PASSBACK_CRASH_AT=<point>` or `PASSBACK_CRASH_AT=<point>:<n>` (die the n-th time the
/// point is reached), in debug builds only: a release binary ignores the variable.
/// `PASSBACK_CRASH_AT=<point>:<n>:TERM` sends the process SIGTERM there instead, once, and lets
/// it go on: how the tests stop a run by signal at a known place. `...:STOP` sends it SIGSTOP
/// there, once: the process waits, frozen, until the test has changed something (the inbox after
/// the listing) and sends SIGCONT.
enum CrashPoint: String, Sendable, CaseIterable {
    /// The inbox listed, nothing claimed yet (and no run begun in the ledger).
    case afterListing = "after-listing"
    /// Inputs moved from the inbox into `work/<run id>/`.
    case afterClaim = "after-claim"
    /// One category export stored in the ledger, not yet archived.
    case afterCategoryImport = "after-category-import"
    /// A section's XML written to its temporary name (and validated, which happens while it is
    /// written), not yet published.
    case afterXMLWritten = "after-xml-written"
    /// A section's XML renamed into `outbox/`, the ledger not yet told.
    case afterXMLPublished = "after-xml-published"
    /// A bundle's outcome committed to the ledger, its inputs not yet archived.
    case afterLedgerCommit = "after-ledger-commit"
    /// The run's processed inputs archived (its work folder moved under `archive/`), the report
    /// not yet written.
    case afterArchive = "after-archive"
    /// The report published, the run not yet marked finished.
    case afterReport = "after-report"

    #if DEBUG
    private static let armed: (point: String, count: Int, signal: Int32)? = {
        guard let value = ProcessInfo.processInfo.environment["PASSBACK_CRASH_AT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: ":")
        let signal = parts.count > 2 ? (parts[2] == "TERM" ? SIGTERM : parts[2] == "STOP" ? SIGSTOP : SIGKILL) : SIGKILL
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1, signal)
    }()
    nonisolated(unsafe) private static var reached: [String: Int] = [:]
    private static let lock = NSLock()
    #endif

    /// Dies when preparing the bundle `stem` if a test named it in `PASSBACK_POISON` (debug builds
    /// only): a bundle that kills every run that tries it, as one too big for the memory would.
    static func poison(_ stem: String) {
        #if DEBUG
        if let name = ProcessInfo.processInfo.environment["PASSBACK_POISON"], name == stem {
            kill(getpid(), SIGKILL)
        }
        #endif
    }

    /// Dies here if a test armed this point.
    func reach() {
        #if DEBUG
        guard let armed = Self.armed, armed.point == rawValue else { return }
        Self.lock.lock()
        Self.reached[rawValue, default: 0] += 1
        let count = Self.reached[rawValue]!
        Self.lock.unlock()
        if armed.signal == SIGKILL ? count >= armed.count : count == armed.count {
            kill(getpid(), armed.signal)
            // A SIGTERM is handled on another thread: give it the moment it takes, so the run
            // sees the request where the test put it.
            if armed.signal == SIGTERM { usleep(200_000) }
        }
        #endif
    }
}
