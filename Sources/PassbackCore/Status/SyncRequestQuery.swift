import Foundation
import GRDB

/// A filter over the ledger's sync requests, as `passback status` takes it: Canvas's Monitoring
/// & Reporting page's status filter and search box.
public struct SyncRequestQuery: Sendable {
    /// `nil` = everything.
    public var status: SyncRequestStatus?
    /// Matches a course or section SIS id (containing the text, case-insensitive) or the exact
    /// SIS id of a student the request sent or reported.
    var search: String?
    var runID: String?
    var limit: Int?

    public init(status: SyncRequestStatus? = nil, search: String? = nil, runID: String? = nil, limit: Int? = nil) {
        self.status = status
        self.search = search
        self.runID = runID
        self.limit = limit
    }
}

extension SyncRequestQuery {
    /// `%text%` for `LIKE ... ESCAPE '\'`, with `\`, `%` and `_` in the text taken literally.
    static func likePattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}

/// One sync request as `status` shows it.
public struct SyncRequestSummary: Sendable, Equatable, Codable {
    var id: String
    var runID: String
    var updatedAt: String
    var bundleStem: String
    var courseSISID: String?
    var canvasCourseID: String
    var sectionSISID: String
    var status: SyncRequestStatus
    var lineItems: Int
    var resultsSent: Int
    var errors: Int
    var warnings: Int
    var outboxFile: String?
    /// Grades that differ from Aspire's but changed before the incremental window (`outside-window`).
    var outsideWindow: Int = 0
    /// Grades kept back because they are not posted in Canvas (`grade-not-posted`).
    var notPosted: Int = 0

    enum CodingKeys: String, CodingKey {
        case id = "request_id"
        case runID = "run_id"
        case updatedAt = "updated_at"
        case bundleStem = "bundle"
        case courseSISID = "course_sis_id"
        case canvasCourseID = "canvas_course_id"
        case sectionSISID = "section_sis_id"
        case status
        case lineItems = "line_items"
        case resultsSent = "sent"
        case errors, warnings
        case outboxFile = "outbox_file"
        case outsideWindow = "outside_window"
        case notPosted = "not_posted"
    }
}

extension Ledger {
    /// The requests that match, newest first, and the count per status of all that match
    /// (before `limit`). Reads a snapshot: never blocks a run that is writing.
    public func syncRequests(_ query: SyncRequestQuery) throws -> (requests: [SyncRequestSummary], counts: [SyncRequestStatus: Int]) {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let status = query.status {
                conditions.append("r.status = ?")
                arguments.append(status.rawValue)
            }
            if let run = query.runID {
                conditions.append("r.run_id = ?")
                arguments.append(run)
            }
            if let text = query.search, !text.isEmpty {
                let pattern = SyncRequestQuery.likePattern(text)
                conditions.append(
                    """
                    (r.course_sis_id LIKE ? ESCAPE '\\' OR r.section_sis_id LIKE ? ESCAPE '\\'
                     OR EXISTS (SELECT 1 FROM request_student s WHERE s.request_id = r.id AND s.student_sis_id = ?))
                    """)
                arguments += [pattern, pattern, text]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var counts: [SyncRequestStatus: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT r.status AS status, COUNT(*) AS n FROM sync_request r \(whereClause) GROUP BY r.status", arguments: StatementArguments(arguments))
            {
                if let status = SyncRequestStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            let limitClause = query.limit.map { " LIMIT \($0)" } ?? ""
            let rows = try Row.fetchAll(
                db, sql: "SELECT r.* FROM sync_request r \(whereClause) ORDER BY r.run_id DESC, r.id ASC\(limitClause)", arguments: StatementArguments(arguments))
            let requests = rows.map { row in
                SyncRequestSummary(
                    id: row["id"], runID: row["run_id"], updatedAt: row["updated_at"], bundleStem: row["bundle_stem"],
                    courseSISID: row["course_sis_id"], canvasCourseID: row["canvas_course_id"], sectionSISID: row["section_sis_id"],
                    status: SyncRequestStatus(rawValue: row["status"]) ?? .failed, lineItems: row["line_items"], resultsSent: row["results_sent"],
                    errors: row["errors"], warnings: row["warnings"], outboxFile: row["outbox_file"],
                    outsideWindow: row["outside_window"], notPosted: row["not_posted"]
                )
            }
            return (requests, counts)
        }
    }
}
