import Foundation
import GRDB

/// The run ledger in `state/ledger.sqlite`: runs, sync requests with every status change, the
/// Aspire categories per term and section, and per Aspire section what was last sent.
///
/// SQLite through GRDB: one file, transactions that survive a crash (`synchronous=FULL`), and WAL
/// so `passback status` reads while a run writes. Schema changes are versioned migrations
/// (``LedgerSchema``). The per-section history is stored as one row per section (see
/// ``SectionHistoryCoding``), which keeps a night's millions of results to thousands of row writes.
public final class Ledger: Sendable {
    let pool: DatabasePool

    /// Opens (creating and migrating) the ledger at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        configuration.label = "passback-ledger"
        configuration.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            // Readers do point lookups (a section's history by key): a small page cache each
            // keeps the process's memory flat however large the ledger grows.
            try db.execute(sql: "PRAGMA cache_size = -512")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        if readOnly, !existed {
            throw SettingsError("no ledger at \(path): no run has used this workspace yet")
        }
        if !readOnly { try Self.restrictPermissions(path, creating: !existed) }
        pool = try DatabasePool(path: path, configuration: configuration)
        if !readOnly {
            try LedgerSchema.migrator.migrate(pool)
        }
    }

    /// The ledger and its `-wal`/`-shm` files hold student ids: owner only. Done before SQLite
    /// opens them, never after: closing any descriptor of a file drops every POSIX lock this
    /// process holds on it (SQLite's own included: its locks on the ledger and the `-shm` tell
    /// other processes, `passback status`, that the ledger is in use; "How To Corrupt An SQLite
    /// Database File", section 2.2). A new ledger is made empty with mode 0600, which SQLite
    /// accepts as a new database and copies to the `-wal` and `-shm` it makes.
    static func restrictPermissions(_ path: String, creating: Bool) throws {
        if creating {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
            } else if errno != EEXIST {
                throw FileSystemError.posix("create", path, errno)
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            DurableFile.restrictMode(ofOwnFileAt: path + suffix, to: 0o600)
        }
    }

    // MARK: Runs

    /// A new run id from the run's clock: `20261127T090000Z-01`, numbered within the second,
    /// past every number the ledger or the workspace's folders have used (`taken`: names in
    /// `reports/`, `work/`, `quarantine/`), so an id never repeats, even with the same `--now`
    /// after a ledger was restored from a backup.
    func makeRunID(now: Date, taken: some Sequence<String> = [String]()) throws -> String {
        let stamp = ISOTimestamp.format(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        var highest =
            try pool.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM run WHERE id LIKE ?", arguments: [stamp + "-%"])
            }.compactMap { Self.runNumber($0, stamp: stamp) }.max() ?? 0
        for name in taken {
            if let number = Self.runNumber(name, stamp: stamp) { highest = max(highest, number) }
        }
        let number = highest + 1
        return "\(stamp)-\(number < 10 ? "0" : "")\(number)"
    }

    /// The number of a run id or a name that starts with one (`<stamp>-07.csv` → 7).
    static func runNumber(_ name: String, stamp: String) -> Int? {
        guard name.hasPrefix(stamp + "-") else { return nil }
        let digits = name.dropFirst(stamp.count + 1).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    // MARK: Identity and health

    /// The id stored in the ledger (`nil` for a ledger made before ids).
    func identity() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT id FROM ledger_identity LIMIT 1") }
    }

    /// Stores `id` as the ledger's id.
    func setIdentity(_ id: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM ledger_identity")
            try db.execute(sql: "INSERT INTO ledger_identity (id) VALUES (?)", arguments: [id])
        }
    }

    /// `PRAGMA quick_check`: "ok", or what SQLite found wrong (a quick pass over every page,
    /// without the index cross-checks of `integrity_check`).
    func quickCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ") }
    }

    /// Copies every committed transaction from `ledger.sqlite-wal` into `ledger.sqlite` and
    /// empties the `-wal` (`PRAGMA wal_checkpoint(TRUNCATE)`), so that the database file alone
    /// holds every committed run: a backup that copies only `ledger.sqlite`, or a restore that
    /// loses the `-wal` beside it, loses nothing (issue 12). SQLite checkpoints on its own only
    /// every 1,000 pages, so without this a night's last commits live in the `-wal` alone.
    /// - Returns: `false` when a reader (a `passback status` in another process) kept it from
    ///   finishing within the busy timeout; the `-wal` then still holds what it could not move.
    func checkpoint() throws -> Bool {
        try pool.writeWithoutTransaction { db in
            do {
                _ = try db.checkpoint(.truncate)
                return true
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                return false
            }
        }
    }

    /// The clock of the latest finished run, if any.
    func latestFinishedClock() throws -> Date? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT MAX(clock) FROM run WHERE status = 'finished'").flatMap(ISOTimestamp.parse)
        }
    }

    /// Every run id the ledger knows.
    func runIDs() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM run")) }
    }

    func beginRun(id: String, clock: Date, mode: PassbackHeader.Mode) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO run (id, started_at, clock, mode, status) VALUES (?, ?, ?, ?, 'running')",
                arguments: [id, ISOTimestamp.format(Date()), ISOTimestamp.format(clock), mode.rawValue]
            )
        }
    }

    func finishRun(id: String, status: String, exitCode: Int32, reportFile: String?, summary: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE run SET finished_at = ?, status = ?, exit_code = ?, report_file = ?, summary = ? WHERE id = ?",
                arguments: [ISOTimestamp.format(Date()), status, Int(exitCode), reportFile, summary, id]
            )
        }
    }

    // MARK: Categories

    /// Every category known, for the run's matcher. Read through a cursor by column position:
    /// a district has thousands of categories, and rows looked up by column name cost four
    /// times as long (docs/PERFORMANCE.md).
    public func categoryCatalog() throws -> CategoryCatalog {
        try pool.read { db in
            var categories: [AspireCategory] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT category_sourced_id, title, class_sourced_id, term_sourced_id, term_code, term_start_date, term_end_date,
                      school_id, status, verified_at, weight, date_last_modified
                    FROM category ORDER BY term_sourced_id, class_sourced_id, position
                    """
            )
            while let row = try rows.next() {
                if let category = Self.category(from: row) { categories.append(category) }
            }
            return CategoryCatalog(categories)
        }
    }

    /// Stores an export: for each (term, section) it mentions, its categories replace the older.
    /// The file is marked processed by the run in the same transaction.
    func storeCategories(_ categories: [AspireCategory], sourceFile: String, runID: String) throws {
        let keys = Set(categories.map { CategoryCatalog.Key(termSourcedID: $0.termSourcedID, classSourcedID: $0.classSourcedID) })
        try pool.write { db in
            try Self.insert(ProcessedBundle(stem: sourceFile, outcome: .sent, gradebookSHA256: nil, jsonSHA256: nil, clean: true), runID: runID, db)
            let delete = try db.cachedStatement(sql: "DELETE FROM category WHERE term_sourced_id = ? AND class_sourced_id = ?")
            for key in keys {
                try delete.execute(arguments: [key.termSourcedID, key.classSourcedID])
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO category (term_sourced_id, class_sourced_id, category_sourced_id, title, term_code, term_start_date,
                      term_end_date, school_id, status, verified_at, weight, date_last_modified, source_file, run_id, position)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (position, c) in categories.enumerated() {
                try insert.execute(
                    arguments: [
                        c.termSourcedID, c.classSourcedID, c.categorySourcedID, c.title, c.termCode, c.termStartDate.description,
                        c.termEndDate.description, c.schoolID, c.status.rawValue, c.verifiedAt.map(ISOTimestamp.format),
                        c.weight, c.dateLastModified.map(ISOTimestamp.format), sourceFile, runID, position,
                    ]
                )
            }
        }
    }

    /// A category from a row of the columns ``categoryCatalog()`` selects, in that order.
    static func category(from row: Row) -> AspireCategory? {
        guard let start = LocalDate(iso: row[5] as String), let end = LocalDate(iso: row[6] as String),
            let status = AspireCategory.Status(rawValue: row[8] as String)
        else { return nil }
        return AspireCategory(
            categorySourcedID: row[0], title: row[1], classSourcedID: row[2],
            termSourcedID: row[3], termCode: row[4], termStartDate: start, termEndDate: end,
            schoolID: row[7], status: status,
            verifiedAt: (row[9] as String?).flatMap(ISOTimestamp.parse),
            weight: row[10], dateLastModified: (row[11] as String?).flatMap(ISOTimestamp.parse)
        )
    }

    // MARK: Section history

    func history(ofSection classSourcedID: String) throws -> SectionHistory {
        guard let blob = try storedHistory(ofSection: classSourcedID) else { return .empty }
        return try SectionHistoryCoding.decode(blob)
    }

    /// The section's history as stored (``SectionHistoryCoding``), `nil` when there is none.
    func storedHistory(ofSection classSourcedID: String) throws -> Data? {
        try pool.read { db in
            try Data.fetchOne(try db.cachedStatement(sql: "SELECT history FROM section_history WHERE class_sourced_id = ?"), arguments: [classSourcedID])
        }
    }

    // MARK: Sync requests

    /// Records requests as `in queue`.
    func enqueue(_ requests: [SyncRequestRecord], runID: String, at clock: Date) throws {
        try pool.write { db in
            for r in requests {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO sync_request (id, run_id, bundle_stem, course_sis_id, canvas_course_id, section_sis_id, canvas_section_id,
                          status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        r.id, runID, r.key.bundleStem, r.key.courseSISID, r.key.canvasCourseID, r.key.sectionSISID, r.key.canvasSectionID,
                        SyncRequestStatus.inQueue.rawValue, ISOTimestamp.format(clock), ISOTimestamp.format(clock),
                    ]
                )
                try Self.recordEvent(db, requestID: r.id, status: .inQueue, at: clock)
            }
        }
    }

    func setStatus(_ status: SyncRequestStatus, requestIDs: [String], at clock: Date) throws {
        try pool.write { db in try Self.setStatus(status, requestIDs: requestIDs, at: clock, db) }
    }

    static func recordEvent(_ db: Database, requestID: String, status: SyncRequestStatus, at clock: Date) throws {
        try db.cachedStatement(sql: "INSERT INTO sync_request_event (request_id, status, at) VALUES (?, ?, ?)").execute(arguments: [
            requestID, status.rawValue, ISOTimestamp.format(clock),
        ])
    }

    /// Records the outcome of one course bundle in one transaction: each request's final status
    /// and counts, the students it sent or reported, the new history of each Aspire section
    /// whose output was published, the bundle's report rows and its content digests. Called
    /// after the XML is in `outbox/`, so a crash before this commit leaves nothing marked sent
    /// (and the next run finishes the bundle, adopting the published file).
    func commit(_ outcomes: [SyncRequestOutcome], report: ReportChunk, bundle: ProcessedBundle?, runID: String, at clock: Date) throws {
        try commit([LedgerEntry(outcomes: outcomes, report: report, bundle: bundle)], runID: runID, at: clock)
    }

    /// What one bundle adds to the ledger when its outcome is recorded: request status changes
    /// (in the order given), outcomes, report rows and the bundle's processed record.
    struct LedgerEntry: Sendable {
        var statusChanges: [(SyncRequestStatus, [String])]
        var outcomes: [SyncRequestOutcome]
        var report: ReportChunk
        var bundle: ProcessedBundle?

        init(statusChanges: [(SyncRequestStatus, [String])] = [], outcomes: [SyncRequestOutcome] = [], report: ReportChunk = ReportChunk(), bundle: ProcessedBundle? = nil) {
            self.statusChanges = statusChanges
            self.outcomes = outcomes
            self.report = report
            self.bundle = bundle
        }
    }

    /// Records several bundles' outcomes in one transaction (one `fsync` of the WAL instead of
    /// one per bundle), in the order given, after marking `inProgress` requests as in progress.
    /// Every bundle's XML must be in `outbox/` before this is called.
    func commit(_ entries: [LedgerEntry], inProgress: [String] = [], runID: String, at clock: Date) throws {
        guard !entries.isEmpty || !inProgress.isEmpty else { return }
        try pool.write { db in
            try Self.setStatus(.inProgress, requestIDs: inProgress, at: clock, db)
            for entry in entries {
                for (status, ids) in entry.statusChanges {
                    try Self.setStatus(status, requestIDs: ids, at: clock, db)
                }
                try Self.record(entry.outcomes, report: entry.report, bundle: entry.bundle, runID: runID, at: clock, db)
            }
        }
    }

    static func setStatus(_ status: SyncRequestStatus, requestIDs: [String], at clock: Date, _ db: Database) throws {
        for id in requestIDs {
            try db.cachedStatement(sql: "UPDATE sync_request SET status = ?, updated_at = ? WHERE id = ?").execute(arguments: [status.rawValue, ISOTimestamp.format(clock), id])
            try recordEvent(db, requestID: id, status: status, at: clock)
        }
    }

    static func record(_ outcomes: [SyncRequestOutcome], report: ReportChunk, bundle: ProcessedBundle?, runID: String, at clock: Date, _ db: Database) throws {
        for o in outcomes {
            try db.cachedStatement(
                sql: """
                    UPDATE sync_request SET status = ?, line_items = ?, results_sent = ?, errors = ?, warnings = ?, outbox_file = ?, updated_at = ?,
                      outside_window = ?, not_posted = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                o.status.rawValue, o.lineItems, o.resultsSent, o.errors, o.warnings, o.outboxFile, ISOTimestamp.format(clock),
                o.held.outsideWindow, o.held.notPosted, o.requestID,
            ])
            try Self.recordEvent(db, requestID: o.requestID, status: o.status, at: clock)
            try insertStudents(o.students, requestID: o.requestID, db)
            if let history = o.encodedHistory ?? o.history.map(SectionHistoryCoding.encode) {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO section_history (class_sourced_id, history, run_id) VALUES (?, ?, ?)")
                    .execute(arguments: [o.classSourcedID, history, o.runID])
            }
        }
        try insert(report, runID: runID, db)
        if let bundle { try insert(bundle, runID: runID, db) }
    }

    /// `request_student` rows, 100 per statement (a section's students are usually one statement).
    static func insertStudents(_ students: [String], requestID: String, _ db: Database) throws {
        var start = 0
        while start < students.count {
            let end = min(start + 100, students.count)
            let values = Array(repeating: "(?, ?)", count: end - start).joined(separator: ", ")
            var arguments = StatementArguments()
            for sis in students[start..<end] { arguments += [requestID, sis] }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO request_student (request_id, student_sis_id) VALUES " + values).execute(arguments: arguments)
            start = end
        }
    }

    static func insert(_ b: ProcessedBundle, runID: String, _ db: Database) throws {
        if b.outcome == .rejected, let rejection = b.rejection { try insertRejectedFiles(RejectedFile.partners(of: b.stem, rejection: rejection), runID: runID, db) }
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO processed_bundle (run_id, stem, outcome, gradebook_sha256, json_sha256, clean, reject_file, reject_code, reject_message, reject_line)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                runID, b.stem, b.outcome.rawValue, b.gradebookSHA256, b.jsonSHA256, b.clean, b.rejection?.file, b.rejection?.code.rawValue, b.rejection?.message, b.rejection?.line,
            ]
        )
    }

    /// `PRAGMA integrity_check`, for the crash tests.
    func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

/// A sync request's status, as Canvas's Monitoring & Reporting page names them (spec 5.3).
public enum SyncRequestStatus: String, Sendable, CaseIterable, Codable {
    case inQueue = "in queue"
    case inProgress = "in progress"
    case success
    case errors
    case failed
    case cancelled
}

/// A request as created at the start of a run.
struct SyncRequestRecord: Sendable {
    var id: String
    var key: SyncRequestKey

    init(id: String, key: SyncRequestKey) {
        self.id = id
        self.key = key
    }
}

/// How a request ended, with what the ledger keeps of it.
struct SyncRequestOutcome: Sendable {
    var requestID: String
    var runID: String
    var classSourcedID: String
    var status: SyncRequestStatus
    var lineItems: Int
    var resultsSent: Int
    var errors: Int
    var warnings: Int
    var outboxFile: String?
    /// Student SIS ids the request sent or reported, for `status --search`.
    var students: [String]
    /// Grades not sent: outside the window alone, not posted in Canvas.
    var held = ResultSelector.HeldGrades()
    /// The section's next history; `nil` when nothing about it may be recorded.
    var history: SectionHistory?
    /// ``history`` already encoded (``SectionHistoryCoding``), so that a worker thread does the
    /// encoding and the ledger's writer only stores it; `nil` with a `nil` ``history`` when the
    /// stored history is already exactly this (nothing to write).
    var encodedHistory: Data?

    init(
        requestID: String, runID: String, classSourcedID: String, status: SyncRequestStatus, lineItems: Int, resultsSent: Int, errors: Int, warnings: Int, outboxFile: String?,
        students: [String], history: SectionHistory?
    ) {
        self.requestID = requestID
        self.runID = runID
        self.classSourcedID = classSourcedID
        self.status = status
        self.lineItems = lineItems
        self.resultsSent = resultsSent
        self.errors = errors
        self.warnings = warnings
        self.outboxFile = outboxFile
        self.students = students
        self.history = history
    }
}
