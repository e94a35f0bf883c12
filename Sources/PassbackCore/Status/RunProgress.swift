import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// A progress line on standard error while a long run works, when standard error is a terminal
/// (an operator running `passback run` by hand); never in a log or a pipe.
///
/// It watches the ledger, not the pipeline: every second it reads (from a WAL snapshot, never
/// blocking the run) how many of the running run's requests are recorded, and redraws one line.
/// The first line appears after `PASSBACK_PROGRESS_AFTER` seconds (3 by default), so short runs
/// print nothing; the line is erased when the run ends. (With 0, for tests, it is redrawn every
/// tenth of a second.)
public final class RunProgress: @unchecked Sendable {
    // @unchecked: `stopped` and `drawn` are touched only under `condition`.
    private let ledgerPath: String
    private let delay: TimeInterval
    private let output: Int32
    private let condition = NSCondition()
    private var stopped = false
    private var drawn = false
    private var finished = false

    init(ledgerPath: String, delay: TimeInterval, output: Int32) {
        self.ledgerPath = ledgerPath
        self.delay = delay
        self.output = output
    }

    /// Starts watching when standard error is a terminal; `nil` otherwise.
    public static func startIfTerminal(workspace: Workspace) -> RunProgress? {
        guard isatty(2) == 1 else { return nil }
        let delay = ProcessInfo.processInfo.environment["PASSBACK_PROGRESS_AFTER"].flatMap(Double.init) ?? 3
        let progress = RunProgress(ledgerPath: workspace.ledgerPath, delay: max(0, delay), output: 2)
        Thread.detachNewThread { progress.loop() }
        return progress
    }

    /// Stops and erases the line; returns once the watcher has ended.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        let erase = drawn
        condition.unlock()
        if erase { write("\r\u{1B}[K") }
    }

    private func loop() {
        var ledger: Ledger?
        var wake = Date().addingTimeInterval(delay)
        while true {
            condition.lock()
            while !stopped, Date() < wake { _ = condition.wait(until: wake) }
            if stopped {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            if ledger == nil, FileManager.default.fileExists(atPath: ledgerPath) { ledger = try? Ledger(path: ledgerPath, readOnly: true) }
            if let line = ledger.flatMap({ try? $0.progressLine() }) {
                condition.lock()
                if !stopped {
                    write("\r\u{1B}[K" + line)
                    drawn = true
                }
                condition.unlock()
            }
            wake = Date().addingTimeInterval(delay == 0 ? 0.1 : 1)
        }
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(output, $0.baseAddress, $0.count) }
    }
}

extension Ledger {
    /// `passback: run 20261127T090000Z-01: 523 of 2,000 requests recorded (26%)`, or what the
    /// run is doing before its requests exist; `nil` when no run is running.
    func progressLine() throws -> String? {
        try pool.read { db in
            guard let run = try String.fetchOne(db, sql: "SELECT id FROM run WHERE status = 'running' ORDER BY id DESC LIMIT 1") else { return nil }
            let row = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS total, COALESCE(SUM(status NOT IN ('in queue', 'in progress')), 0) AS done FROM sync_request WHERE run_id = ?",
                arguments: [run]
            )
            let total: Int = row?["total"] ?? 0
            let done: Int = row?["done"] ?? 0
            guard total > 0 else { return "passback: run \(run): claiming and reading files" }
            return "passback: run \(run): \(grouped(done)) of \(grouped(total)) requests recorded (\(done * 100 / total)%)"
        }
    }
}

/// `2,000`: a count with thousands separators, whatever the locale (messages are in English).
func grouped(_ number: Int) -> String {
    let digits = String(number.magnitude)
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return (number < 0 ? "-" : "") + out
}
