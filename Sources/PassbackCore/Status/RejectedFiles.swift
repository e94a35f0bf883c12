import Foundation
import GRDB

/// A file a run rejected (quarantined), as the ledger keeps it so that `passback status --search
/// NAME` finds it: a registrar asking "what happened to my file" knows its name, not a course id.
public struct RejectedFile: Sendable, Equatable, Codable {
    var runID: String
    /// Its path in the inbox (and below `quarantine/<run id>/`).
    var file: String
    var rule: String
    var message: String
    var line: Int?
    /// `prune` removed its run's quarantine: the file is gone.
    var pruned = false

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case file, rule, message, line, pruned
    }

    /// The codes of report rows that send a file to quarantine.
    static let quarantineCodes: Set<RuleCode> = [.malformedFile, .unknownFile, .incompleteBundle, RuleCode("too-large")]

    /// The file a report row rejects, if it is such a row (an error about a file, outside any
    /// request, with a quarantine code).
    init?(row: ReportRow) {
        guard row.status == .error, row.requestID == nil, let rule = row.rule, Self.quarantineCodes.contains(rule),
            let file = row.location?.file
        else { return nil }
        self.init(runID: row.runID, file: file, rule: rule.rawValue, message: row.message, line: row.location?.line)
    }

    init(runID: String, file: String, rule: String, message: String, line: Int?) {
        self.runID = runID
        self.file = file
        self.rule = rule
        self.message = message
        self.line = line
    }

    /// A rejected bundle's other file, quarantined with the bad one (its report row names only
    /// the bad one). The run id is filled in by the ledger.
    static func partners(of stem: String, rejection: ProcessedBundle.Rejection) -> [RejectedFile] {
        let partner: String
        switch InputKind(relativePath: rejection.file) {
        case .gradebook: partner = stem + ".canvas.json"
        case .bundleJSON: partner = stem + ".gradebook.csv"
        default: return []
        }
        let message = "Held with its partner \((rejection.file as NSString).lastPathComponent), which was rejected: \(rejection.message)"
        return [RejectedFile(runID: "", file: partner, rule: rejection.code.rawValue, message: message, line: nil)]
    }

    /// Where the file is now, relative to the workspace.
    var quarantinePath: String { pruned ? "(pruned)" : "quarantine/\(runID)/\(file)" }
}

extension Ledger {
    static func insertRejectedFiles(_ files: [RejectedFile], runID: String, _ db: Database) throws {
        for file in files {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO rejected_file (run_id, file, rule, message, line) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [runID, file.file, file.rule, file.message, file.line])
        }
    }

    /// Rejected files whose path contains `text` (case-insensitive), newest run first.
    public func rejectedFiles(matching text: String, runID: String? = nil, limit: Int? = nil) throws -> [RejectedFile] {
        try pool.read { db in
            // A ledger no run of this version has opened yet has no such table.
            guard try db.tableExists("rejected_file") else { return [] }
            var sql = """
                SELECT f.run_id, f.file, f.rule, f.message, f.line, r.pruned_at FROM rejected_file f LEFT JOIN run r ON r.id = f.run_id
                WHERE f.file LIKE ? ESCAPE '\\'
                """
            var arguments: [any DatabaseValueConvertible] = [SyncRequestQuery.likePattern(text)]
            if let runID {
                sql += " AND f.run_id = ?"
                arguments.append(runID)
            }
            sql += " ORDER BY f.run_id DESC, f.file" + (limit.map { " LIMIT \($0)" } ?? "")
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                var file = RejectedFile(runID: row["run_id"], file: row["file"], rule: row["rule"], message: row["message"], line: row["line"])
                file.pruned = (row["pruned_at"] as String?) != nil
                return file
            }
        }
    }
}
