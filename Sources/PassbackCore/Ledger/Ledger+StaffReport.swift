import Foundation
import GRDB

/// What the staff page (``StaffReport``) reads of runs: each run's clock, mode, times, exit
/// status, files and totals, for its own page and for the trend and index of all runs.
///
/// Files claimed, rejected and waiting are known only to the process that ran, so they are
/// recorded (``recordTally(runID:_:)``) when the run's page is written; the totals are kept
/// beside them so the index of every run is one read of the `run` table, not a sum over every
/// request and report row the ledger ever held.
extension Ledger {
    /// A run as the staff page tells it.
    struct RunOverview: Sendable, Equatable {
        var id: String
        var clock: Date
        var mode: PassbackHeader.Mode
        var startedAt: Date?
        var finishedAt: Date?
        /// The run finished (its report is written); else it died and is not finished yet.
        var isFinished: Bool
        var exitCode: Int32?
        /// `nil` for runs recorded before the staff page existed.
        var files: RunFiles?
        var tally: RunTally
        /// When `passback prune` removed the run's files and report rows (its page cannot be
        /// written again).
        var prunedAt: Date? = nil
    }

    /// Files a run claimed from the inbox, rejected (quarantined) and left waiting.
    struct RunFiles: Sendable, Equatable {
        var claimed: Int
        var rejected: Int
        var waiting: Int
    }

    /// A run's totals: grades sent (results in its XML) and its report rows per status.
    struct RunTally: Sendable, Equatable {
        var resultsSent = 0
        var rows: [ReportRow.Status: Int] = [:]

        func rows(_ status: ReportRow.Status) -> Int { rows[status] ?? 0 }
    }

    /// Records what the run's page says of it beside the run, before the run is marked finished.
    func recordTally(runID: String, files: RunFiles, tally: RunTally) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE run SET files_claimed = ?, files_rejected = ?, files_waiting = ?, results_sent = ?,
                      success_rows = ?, error_rows = ?, warning_rows = ?, skipped_rows = ? WHERE id = ?
                    """,
                arguments: [
                    files.claimed, files.rejected, files.waiting, tally.resultsSent,
                    tally.rows(.success), tally.rows(.error), tally.rows(.warning), tally.rows(.skipped), runID,
                ]
            )
        }
    }

    /// One run, or `nil` when the ledger has no run of that id.
    func runOverview(id: String) throws -> RunOverview? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else { return nil }
            return try Self.overview(row, db)
        }
    }

    /// The runs, newest first (by their clock), at most `limit` of them.
    func runOverviews(limit: Int? = nil) throws -> [RunOverview] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY clock DESC, id DESC LIMIT ?", arguments: [limit ?? -1])
            return try rows.compactMap { try Self.overview($0, db) }
        }
    }

    /// The runs whose clock is not after `clock`, newest first, at most `limit` of them: the
    /// runs a run's page shows in its trend.
    func runOverviews(throughClock clock: Date, limit: Int) throws -> [RunOverview] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM run WHERE clock <= ? ORDER BY clock DESC, id DESC LIMIT ?", arguments: [ISOTimestamp.format(clock), limit])
            return try rows.compactMap { try Self.overview($0, db) }
        }
    }

    /// Bundles of the run that went to quarantine, by the file that was to blame: the stem, so
    /// the page can name the partner held with it.
    func rejectedBundleStems(runID: String) throws -> [String: String] {
        try pool.read { db in
            var stems: [String: String] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT stem, reject_file FROM processed_bundle WHERE run_id = ? AND outcome = 'rejected' AND reject_file IS NOT NULL", arguments: [runID])
            for row in rows { stems[row["reject_file"]] = row["stem"] }
            return stems
        }
    }

    /// A run from its row. Columns of the `staff-report-run-tally` migration are read as
    /// optional, so a read-only ledger not migrated yet still answers: its totals are summed
    /// from the requests and report rows instead.
    private static func overview(_ row: Row, _ db: Database) throws -> RunOverview? {
        guard let clock = ISOTimestamp.parse(row["clock"]), let mode = PassbackHeader.Mode(rawValue: row["mode"]) else { return nil }
        let id: String = row["id"]
        let status: String = row["status"]
        var files: RunFiles?
        if let claimed = row["files_claimed"] as Int?, let rejected = row["files_rejected"] as Int?, let waiting = row["files_waiting"] as Int? {
            files = RunFiles(claimed: claimed, rejected: rejected, waiting: waiting)
        }
        var tally = RunTally()
        if let sent = row["results_sent"] as Int?, let successes = row["success_rows"] as Int?, let errors = row["error_rows"] as Int?,
            let warnings = row["warning_rows"] as Int?, let skipped = row["skipped_rows"] as Int?
        {
            tally.resultsSent = sent
            for (status, n) in [(ReportRow.Status.success, successes), (.error, errors), (.warning, warnings), (.skipped, skipped)] where n > 0 {
                tally.rows[status] = n
            }
        } else {
            tally.resultsSent = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(results_sent), 0) FROM sync_request WHERE run_id = ?", arguments: [id]) ?? 0
            if let sums = try Row.fetchOne(db, sql: "SELECT SUM(successes) s, SUM(errors) e, SUM(warnings) w, SUM(skipped) k FROM report_chunk WHERE run_id = ?", arguments: [id]) {
                for (status, column) in [(ReportRow.Status.success, "s"), (.error, "e"), (.warning, "w"), (.skipped, "k")] {
                    if let n = sums[column] as Int?, n > 0 { tally.rows[status] = n }
                }
            }
        }
        return RunOverview(
            id: id, clock: clock, mode: mode,
            startedAt: (row["started_at"] as String?).flatMap(ISOTimestamp.parse),
            finishedAt: (row["finished_at"] as String?).flatMap(ISOTimestamp.parse),
            isFinished: status == "finished",
            exitCode: (row["exit_code"] as Int?).map { Int32(clamping: $0) },
            files: files, tally: tally,
            prunedAt: (row["pruned_at"] as String?).flatMap(ISOTimestamp.parse)
        )
    }
}
