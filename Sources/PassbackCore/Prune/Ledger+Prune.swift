import Foundation
import GRDB

/// What `prune` asks of the ledger: which runs are old and finished, and removing their report
/// rows (the bulk of a ledger's growth; the report file was written from them when the run
/// ended, and nothing reads them after).
extension Ledger {
    /// Finished runs that started before `cutoff` (wall-clock time) and were not pruned yet.
    func finishedRuns(startedBefore cutoff: Date) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM run WHERE status = 'finished' AND started_at < ? AND pruned_at IS NULL ORDER BY id", arguments: [ISOTimestamp.format(cutoff)])
        }
    }

    func runCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0 }
    }

    /// The report rows kept for these runs, and their bytes.
    func reportRowTotals(runIDs: [String]) throws -> (rows: Int, bytes: Int64) {
        try pool.read { db in
            var rows = 0
            var bytes: Int64 = 0
            let statement = try db.makeStatement(
                sql: "SELECT COALESCE(SUM(successes + errors + warnings + skipped), 0), COALESCE(SUM(LENGTH(body)), 0) FROM report_chunk WHERE run_id = ?")
            for id in runIDs {
                if let row = try Row.fetchOne(statement, arguments: [id]) {
                    rows += row[0] as Int
                    bytes += row[1] as Int64
                }
            }
            return (rows, bytes)
        }
    }

    /// Removes the runs' report rows and marks them pruned, in one transaction.
    func pruneReportRows(runIDs: [String], at time: Date) throws {
        try pool.write { db in
            let delete = try db.makeStatement(sql: "DELETE FROM report_chunk WHERE run_id = ?")
            let mark = try db.makeStatement(sql: "UPDATE run SET pruned_at = ? WHERE id = ?")
            for id in runIDs {
                try delete.execute(arguments: [id])
                try mark.execute(arguments: [ISOTimestamp.format(time), id])
            }
        }
    }

    /// Gives the freed pages back to the file system: `VACUUM`, then a checkpoint that empties the
    /// write-ahead log. Needs free space of about the ledger's size while it runs.
    func compact() throws {
        try pool.vacuum()
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
