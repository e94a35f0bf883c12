import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request to stop a run early: SIGTERM (systemd stopping the service, a shutdown) or SIGINT
/// (Ctrl-C). The run finishes the commit group in flight (publishes and records what is
/// prepared), then stops with ``RunError/Kind/stoppedPartWay`` (exit 3); the next run finishes it
/// as after a crash, without redoing what was recorded. A second signal stops the process at
/// once: the first one puts the signal's default action back, so the kernel ends it, and the next
/// run recovers as after a kill.
public final class StopRequest: Sendable {
    private let requested = Atomic<Int32>(0)
    private let sources: Mutex<[any DispatchSourceSignal]> = Mutex([])
    /// Wakes ``wait(until:)`` when a stop is requested.
    private let condition = NSCondition()

    public init() {}

    /// Whether a stop was asked for (one relaxed load).
    public var isRequested: Bool { requested.load(ordering: .relaxed) != 0 }

    /// The signal that asked, for messages.
    var signalName: String {
        switch requested.load(ordering: .relaxed) {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case 0: "no signal"
        default: "a request"
        }
    }

    /// Asks for a stop (what a signal does; also for tests and embedders).
    public func request(signal: Int32 = SIGTERM) {
        condition.withLock {
            requested.store(signal, ordering: .relaxed)
            condition.broadcast()
        }
    }

    /// Sleeps until `date` (`passback watch` between nights); `false` when a stop was requested
    /// first.
    public func wait(until date: Date) -> Bool {
        condition.withLock {
            while !isRequested, Date() < date {
                _ = condition.wait(until: min(date, Date().addingTimeInterval(60)))
            }
            return !isRequested
        }
    }

    /// Listens for SIGTERM and SIGINT: the first sets the request and puts the default action
    /// back for both, so a second ends the process.
    public func listenForSignals() {
        sources.withLock { sources in
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in
                    self?.request(signal: number)
                    signal(SIGTERM, SIG_DFL)
                    signal(SIGINT, SIG_DFL)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
