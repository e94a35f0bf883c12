import Foundation
import GRDB

/// What the ledger keeps of a run so that a killed run can be finished by the next one: its
/// clock and mode, the report rows committed bundle by bundle, and which bundles are done.
extension Ledger {
    /// A run as recorded.
    struct RunRecord: Sendable, Equatable {
        var id: String
        var clock: Date
        var mode: PassbackHeader.Mode
    }

    /// Runs that started and never finished: their process died (the lock says nobody runs now).
    func unfinishedRuns() throws -> [RunRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, clock, mode FROM run WHERE status = 'running' ORDER BY id").compactMap { row in
                guard let clock = ISOTimestamp.parse(row["clock"]), let mode = PassbackHeader.Mode(rawValue: row["mode"]) else { return nil }
                return RunRecord(id: row["id"], clock: clock, mode: mode)
            }
        }
    }

    /// Counts a stop against the bundles a stopped run was preparing (``FlightRecorder``), and
    /// against the run; returns each bundle's stops so far.
    func recordStop(runID: String, bundles: [String]) throws -> [String: Int] {
        try pool.write { db in
            try db.execute(sql: "UPDATE run SET stops = stops + 1 WHERE id = ?", arguments: [runID])
            var stops: [String: Int] = [:]
            for stem in bundles {
                try db.execute(
                    sql: "INSERT INTO bundle_attempt (run_id, stem, stops) VALUES (?, ?, 1) ON CONFLICT(run_id, stem) DO UPDATE SET stops = stops + 1", arguments: [runID, stem])
                stops[stem] = try Int.fetchOne(db, sql: "SELECT stops FROM bundle_attempt WHERE run_id = ? AND stem = ?", arguments: [runID, stem]) ?? 1
            }
            return stops
        }
    }

    /// Bundles of the run that runs stopped on, with how often.
    func bundleStops(runID: String) throws -> [String: Int] {
        try pool.read { db in
            var stops: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT stem, stops FROM bundle_attempt WHERE run_id = ?", arguments: [runID]) {
                stops[row["stem"]] = row["stops"]
            }
            return stops
        }
    }

    /// Appends report rows to the run's report (their own transaction).
    func appendReport(_ chunk: ReportChunk, runID: String) throws {
        try pool.write { db in try Self.insert(chunk, runID: runID, db) }
    }

    static func insert(_ chunk: ReportChunk, runID: String, _ db: Database) throws {
        guard !chunk.isEmpty else { return }
        try insertRejectedFiles(chunk.rejectedFiles, runID: runID, db)
        let seq = (try Int.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM report_chunk WHERE run_id = ?"), arguments: [runID]) ?? 0) + 1
        try db.cachedStatement(sql: "INSERT INTO report_chunk (run_id, seq, body, successes, errors, warnings, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [runID, seq, Data(chunk.body), chunk.counts[.success] ?? 0, chunk.counts[.error] ?? 0, chunk.counts[.warning] ?? 0, chunk.counts[.skipped] ?? 0])
    }

    /// The run's report rows, as CSV records, in the order they were committed.
    func reportBodies(runID: String, _ body: (Data) throws -> Void) throws {
        try pool.read { db in
            let cursor = try Data.fetchCursor(db, sql: "SELECT body FROM report_chunk WHERE run_id = ? ORDER BY seq", arguments: [runID])
            while let data = try cursor.next() { try body(data) }
        }
    }

    /// Counts of the run's report rows per status.
    func reportCounts(runID: String) throws -> [ReportRow.Status: Int] {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT SUM(successes) s, SUM(errors) e, SUM(warnings) w, SUM(skipped) k FROM report_chunk WHERE run_id = ?", arguments: [runID])
            else { return [:] }
            var counts: [ReportRow.Status: Int] = [:]
            for (status, column) in [(ReportRow.Status.success, "s"), (.error, "e"), (.warning, "w"), (.skipped, "k")] {
                if let n = row[column] as Int?, n > 0 { counts[status] = n }
            }
            return counts
        }
    }

    /// The run's requests per status, results sent and XML files published.
    func requestTotals(runID: String) throws -> (statuses: [SyncRequestStatus: Int], results: Int, files: Int) {
        try pool.read { db in
            var statuses: [SyncRequestStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) n FROM sync_request WHERE run_id = ? GROUP BY status", arguments: [runID]) {
                if let s = SyncRequestStatus(rawValue: row["status"]) { statuses[s] = row["n"] }
            }
            let results = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(results_sent), 0) FROM sync_request WHERE run_id = ?", arguments: [runID]) ?? 0
            let files = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT outbox_file) FROM sync_request WHERE run_id = ? AND outbox_file IS NOT NULL", arguments: [runID]) ?? 0
            return (statuses, results, files)
        }
    }

    /// The run's requests per bundle stem (to reuse their ids when a killed run is finished).
    func requests(runID: String) throws -> [String: [SyncRequestRecord]] {
        try pool.read { db in
            var byStem: [String: [SyncRequestRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM sync_request WHERE run_id = ? ORDER BY id", arguments: [runID]) {
                let key = SyncRequestKey(
                    bundleStem: row["bundle_stem"], courseSISID: row["course_sis_id"], canvasCourseID: row["canvas_course_id"], sectionSISID: row["section_sis_id"],
                    canvasSectionID: row["canvas_section_id"])
                byStem[key.bundleStem, default: []].append(SyncRequestRecord(id: row["id"], key: key))
            }
            return byStem
        }
    }

    /// Outbox files the run has recorded as published.
    func publishedFiles(runID: String) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT outbox_file FROM sync_request WHERE run_id = ? AND outbox_file IS NOT NULL", arguments: [runID]))
        }
    }

    /// Bundles of the run whose outcome is committed, by stem.
    func processedBundles(runID: String) throws -> [String: ProcessedBundle] {
        try pool.read { db in
            var result: [String: ProcessedBundle] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM processed_bundle WHERE run_id = ?", arguments: [runID]) {
                let bundle = ProcessedBundle(
                    stem: row["stem"], outcome: ProcessedBundle.Outcome(rawValue: row["outcome"]) ?? .sent,
                    gradebookSHA256: row["gradebook_sha256"], jsonSHA256: row["json_sha256"], clean: row["clean"],
                    rejection: (row["reject_file"] as String?).map { file in
                        ProcessedBundle.Rejection(
                            file: file, code: RuleCode(row["reject_code"] as String? ?? RuleCode.malformedFile.rawValue), message: row["reject_message"] ?? "",
                            line: row["reject_line"])
                    }
                )
                result[bundle.stem] = bundle
            }
            return result
        }
    }

    /// The run that already processed a bundle with these exact bytes and left nothing to redo
    /// (no error, nothing held), if any.
    func duplicateOf(gradebookSHA256: String, jsonSHA256: String) throws -> String? {
        try duplicatesOf([(gradebookSHA256, jsonSHA256)])[0]
    }

    /// ``duplicateOf(gradebookSHA256:jsonSHA256:)`` for many bundles, in one read.
    func duplicatesOf(_ digests: [(gradebook: String, json: String)]) throws -> [String?] {
        try pool.read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT run_id FROM processed_bundle WHERE gradebook_sha256 = ? AND json_sha256 = ? AND clean = 1 AND outcome = 'sent' ORDER BY run_id LIMIT 1")
            return try digests.map { try String.fetchOne(statement, arguments: [$0.gradebook, $0.json]) }
        }
    }
}

/// Report rows already encoded as CSV records, with their counts: what a bundle adds to its run's
/// report, committed with its outcome.
struct ReportChunk: Sendable {
    private(set) var body: [UInt8] = []
    /// Rows per status.
    var counts: [ReportRow.Status: Int] {
        var counts: [ReportRow.Status: Int] = [:]
        for (status, n) in zip([ReportRow.Status.success, .error, .warning, .skipped], tally) where n > 0 { counts[status] = n }
        return counts
    }
    /// success, error, warning, skipped.
    private var tally = [0, 0, 0, 0]
    /// The files these rows reject (quarantined), for `status --search` by name.
    private(set) var rejectedFiles: [RejectedFile] = []

    init() {}

    init(_ rows: [ReportRow]) {
        for row in rows { append(row) }
    }

    mutating func append(_ row: ReportRow) {
        row.appendRecord(to: &body)
        if let rejected = RejectedFile(row: row) { rejectedFiles.append(rejected) }
        switch row.status {
        case .success: tally[0] += 1
        case .error: tally[1] += 1
        case .warning: tally[2] += 1
        case .skipped: tally[3] += 1
        }
    }

    var isEmpty: Bool { body.isEmpty }
}

/// A bundle's committed outcome in a run.
struct ProcessedBundle: Sendable, Equatable {
    enum Outcome: String, Sendable {
        /// Checked and sent (or nothing needed sending).
        case sent
        case cancelled
        case rejected
        case duplicate
    }

    /// Why a rejected bundle went to quarantine: the bad file and its reason.
    struct Rejection: Sendable, Equatable {
        var file: String
        var code: RuleCode
        var message: String
        var line: Int?
    }

    var stem: String
    var outcome: Outcome
    var gradebookSHA256: String?
    var jsonSHA256: String?
    /// No error and nothing held: a byte-identical re-drop is a duplicate.
    var clean: Bool
    var rejection: Rejection?

    init(stem: String, outcome: Outcome, gradebookSHA256: String?, jsonSHA256: String?, clean: Bool, rejection: Rejection? = nil) {
        self.stem = stem
        self.outcome = outcome
        self.gradebookSHA256 = gradebookSHA256
        self.jsonSHA256 = jsonSHA256
        self.clean = clean
        self.rejection = rejection
    }
}
