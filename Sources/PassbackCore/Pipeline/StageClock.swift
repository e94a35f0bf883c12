import Foundation
import Synchronization

/// Where a run spends its time, per pipeline stage: `passback run --timings` (or
/// `PASSBACK_TIMINGS=1`, read by ``RunOptions/apply(environment:)``) prints one line with the seconds spent in each stage, summed over the
/// threads that worked in it, the run's wall time, and the bundles and results it saw. The
/// benchmark (`Benchmarks/bench.py`) reads that line.
///
/// Off by default; when off, ``measure(_:_:)`` costs one load and one branch. When on, a stage
/// is timed with `ContinuousClock` around a whole unit of work (a bundle's read, a section's
/// XML), never around a single result, so timing does not change what it measures.
public final class StageClock: Sendable {

    /// The stages, in pipeline order.
    enum Stage: String, CaseIterable, Sendable {
        /// Listing and claiming the inbox, content digests, category imports.
        case intake
        /// Learning each bundle's course and sections before processing (requests, supersession).
        case plan
        /// Reading the gradebook CSV and the bundle JSON.
        case read
        /// The passback rules, category matching and score cells (``CourseChecker``).
        case rules
        /// Loading section histories and choosing what goes out (``ResultSelector``).
        case diff
        /// Writing passback XML to the temporary folder.
        case writeXML = "write_xml"
        /// The streaming XSD check of each file.
        case validate
        /// `fsync`, rename into `outbox/`, directory `fsync`.
        case publish
        /// Building report rows, and writing the report file at the end.
        case report
        /// Ledger transactions: requests, outcomes, histories, report rows.
        case ledger
        /// Moving processed inputs to `archive/` (or `quarantine/`).
        case archive
    }

    /// The process's clock; a run with ``RunOptions/timings`` turns it on before its first stage.
    public static let shared = StageClock(enabled: false)

    private struct Tallies {
        var totals: [Stage: Duration] = [:]
        var counters: [String: Int] = [:]
        var marks: [(String, Double)] = []
    }

    private let tallies = Mutex(Tallies())
    private let enabled: Atomic<Bool>
    private let started = ContinuousClock.now

    init(enabled: Bool) {
        self.enabled = Atomic(enabled)
    }

    /// Whether stages are timed: one relaxed load, so an untimed run pays nothing else.
    public var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Turns timing on (before the run's threads start).
    func enable() {
        enabled.store(true, ordering: .relaxed)
    }

    /// Runs `body`, adding its duration to `stage` when the clock is enabled.
    @inline(__always)
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        guard isEnabled else { return try body() }
        let start = ContinuousClock.now
        defer { add(stage, ContinuousClock.now - start) }
        return try body()
    }

    func add(_ stage: Stage, _ duration: Duration) {
        tallies.withLock { $0.totals[stage, default: .zero] += duration }
    }

    /// Adds to a named count (bundles, results written, XML bytes).
    func count(_ name: String, _ value: Int) {
        guard isEnabled else { return }
        tallies.withLock { $0.counters[name, default: 0] += value }
    }

    /// Notes the wall time since start under `name` (phase boundaries: the timeline of a run).
    func mark(_ name: String) {
        guard isEnabled else { return }
        let now = ContinuousClock.now
        tallies.withLock { $0.marks.append((name, Self.seconds(now - started))) }
    }

    /// Seconds per stage so far.
    func seconds() -> [Stage: Double] {
        tallies.withLock { $0.totals.mapValues(Self.seconds) }
    }

    /// `passback timings: wall=1.234 intake=0.010 plan=... counts: bundles=200 ...`, one line.
    public func summaryLine() -> String {
        tallies.withLock { tallies in
            let (totals, marks, counters) = (tallies.totals, tallies.marks, tallies.counters)
            var text = "passback timings: wall=" + Self.format(Self.seconds(ContinuousClock.now - started))
            for stage in Stage.allCases {
                text += " \(stage.rawValue)=" + Self.format(Self.seconds(totals[stage] ?? .zero))
            }
            if !marks.isEmpty {
                text += " marks:" + marks.map { " \($0.0)@" + Self.format($0.1) }.joined()
            }
            if !counters.isEmpty {
                text += " counts:" + counters.keys.sorted().map { " \($0)=\(counters[$0]!)" }.joined()
            }
            return text
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func format(_ s: Double) -> String {
        String(format: "%.3f", s)
    }
}
