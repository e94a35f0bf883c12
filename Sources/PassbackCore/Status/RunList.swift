import Foundation
import GRDB

/// A run as `passback status --runs` lists it.
public struct RunListing: Sendable, Equatable, Codable {
    var id: String
    var startedAt: String
    var finishedAt: String?
    var clock: String
    var mode: String
    /// `running` (or interrupted: the next run finishes it) or `finished`.
    var state: String
    var exitCode: Int?
    var requests: Int
    var reportFile: String?
    var summary: String?
    /// When `passback prune` removed its files and report rows.
    var prunedAt: String?

    enum CodingKeys: String, CodingKey {
        case id = "run_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case clock, mode
        case state = "status"
        case exitCode = "exit_code"
        case requests
        case reportFile = "report_file"
        case summary
        case prunedAt = "pruned_at"
    }
}

extension Ledger {
    /// The runs, newest first (at most `limit`).
    public func runs(limit: Int? = nil) throws -> [RunListing] {
        try pool.read { db in
            // A ledger no run of this version has opened yet has no `pruned_at`.
            let pruned = try db.columns(in: "run").contains { $0.name == "pruned_at" } ? "r.pruned_at" : "NULL AS pruned_at"
            let sql = """
                SELECT r.id, r.started_at, r.finished_at, r.clock, r.mode, r.status, r.exit_code, r.report_file, r.summary, \(pruned),
                  (SELECT COUNT(*) FROM sync_request s WHERE s.run_id = r.id) AS requests
                FROM run r ORDER BY r.id DESC
                """ + (limit.map { " LIMIT \($0)" } ?? "")
            return try Row.fetchAll(db, sql: sql).map { row in
                RunListing(
                    id: row["id"], startedAt: row["started_at"], finishedAt: row["finished_at"], clock: row["clock"], mode: row["mode"],
                    state: row["status"], exitCode: row["exit_code"], requests: row["requests"], reportFile: row["report_file"],
                    summary: row["summary"], prunedAt: row["pruned_at"]
                )
            }
        }
    }
}

/// `status --runs` for people and for scripts.
public enum RunTable {
    public static func text(_ runs: [RunListing], root: URL, time: SchoolTime) -> String {
        guard !runs.isEmpty else { return "no runs yet\n" }
        let rows = runs.map { run -> [String] in
            let report: String
            if run.prunedAt != nil {
                report = "(pruned)"
            } else if let file = run.reportFile {
                report = file.hasPrefix(root.path + "/") ? String(file.dropFirst(root.path.count + 1)) : file
            } else {
                report = "-"
            }
            let state = run.state == "running" ? "interrupted or running" : run.state
            return [run.id, time.format(stored: run.startedAt), run.mode, state, run.exitCode.map(String.init) ?? "-", String(run.requests), report]
        }
        return StatusTable.aligned(["RUN", "STARTED", "MODE", "STATUS", "EXIT", "REQUESTS", "REPORT"], rows).joined(separator: "\n") + "\n"
    }

    public static func json(_ runs: [RunListing]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(["runs": runs]), as: UTF8.self) + "\n"
    }
}
