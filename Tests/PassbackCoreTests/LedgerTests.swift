import Foundation
import Testing

@testable import PassbackCore

@Suite struct LedgerTests {
    func withLedger(_ body: (Ledger, String) throws -> Void) throws {
        let folder = TestScratch.root.appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        try body(try Ledger(path: path), path)
    }

    /// The ledger's three files are the owner's only, whatever the umask, and a ledger an older
    /// passback left readable is restricted when it is opened (before SQLite holds its locks).
    @Test func theLedgerFilesAreTheOwnersOnly() throws {
        func modes(_ path: String) -> [String] {
            ["", "-wal", "-shm"].compactMap { suffix in
                (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.posixPermissions] as? Int).map { String($0, radix: 8) }
            }
        }
        try withLedger { ledger, path in
            try ledger.beginRun(id: "20251001T090000Z-01", clock: Make.date("2025-10-01T09:00:00Z"), mode: .incremental)
            #expect(modes(path) == ["600", "600", "600"])
            for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o644) }
            let again = try Ledger(path: path)
            #expect(modes(path) == ["600", "600", "600"])
            #expect(try again.makeRunID(now: Make.date("2025-10-01T09:00:00Z")) == "20251001T090000Z-02")
        }
    }

    @Test func runIDsAreNumberedWithinTheSecond() throws {
        try withLedger { ledger, _ in
            let now = Make.date("2025-10-01T09:00:00Z")
            let first = try ledger.makeRunID(now: now)
            #expect(first == "20251001T090000Z-01")
            try ledger.beginRun(id: first, clock: now, mode: .incremental)
            #expect(try ledger.makeRunID(now: now) == "20251001T090000Z-02")
        }
    }

    @Test func aNewerExportReplacesItsTermAndSectionOnly() throws {
        try withLedger { ledger, _ in
            try ledger.beginRun(id: "r1", clock: Make.now, mode: .incremental)
            try ledger.beginRun(id: "r2", clock: Make.now, mode: .incremental)
            try ledger.storeCategories(
                [Make.category("A", title: "Homework"), Make.category("B", title: "Tests", section: "OTHER")], sourceFile: "one.categories.csv", runID: "r1")
            try ledger.storeCategories([Make.category("C", title: "Projects")], sourceFile: "two.categories.csv", runID: "r2")
            let catalog = try ledger.categoryCatalog()
            #expect(catalog.categories(term: "GTM00000000Q1", section: "MST0000007Xy12").map(\.categorySourcedID) == ["C"])
            #expect(catalog.categories(term: "GTM00000000Q1", section: "OTHER").map(\.categorySourcedID) == ["B"])
            #expect(catalog.categories(term: "GTM00000000Q1", section: "OTHER").first == Make.category("B", title: "Tests", section: "OTHER"))
        }
    }

    @Test func requestsHistoryAndSearch() throws {
        try withLedger { ledger, path in
            let now = Make.date("2025-10-01T09:00:00Z")
            try ledger.beginRun(id: "R", clock: now, mode: .bulk)
            let key1 = SyncRequestKey(bundleStem: "algebra", courseSISID: "CRS-ALG1", canvasCourseID: "4242", sectionSISID: "MST1", canvasSectionID: "71")
            let key2 = SyncRequestKey(bundleStem: "algebra", courseSISID: "CRS-ALG1", canvasCourseID: "4242", sectionSISID: "MST2", canvasSectionID: "72")
            try ledger.enqueue([SyncRequestRecord(id: "R-001", key: key1), SyncRequestRecord(id: "R-002", key: key2)], runID: "R", at: now)
            try ledger.setStatus(.inProgress, requestIDs: ["R-001", "R-002"], at: now)
            var history = SectionHistory()
            history.results["canvas-1:604863"] = ResultState(sent: .score(ExactDecimal(9)), sentAt: now, seen: .score(ExactDecimal(9)), seenSince: now)
            try ledger.commit(
                [
                    SyncRequestOutcome(
                        requestID: "R-001", runID: "R", classSourcedID: "MST1", status: .success, lineItems: 1, resultsSent: 1, errors: 0, warnings: 0, outboxFile: "R_MST1.xml",
                        students: ["604863"], history: history),
                    SyncRequestOutcome(
                        requestID: "R-002", runID: "R", classSourcedID: "MST2", status: .failed, lineItems: 0, resultsSent: 0, errors: 2, warnings: 0, outboxFile: nil,
                        students: ["604874"], history: nil),
                ], report: ReportChunk(), bundle: ProcessedBundle(stem: "algebra", outcome: .sent, gradebookSHA256: "g", jsonSHA256: "j", clean: false), runID: "R", at: now)
            #expect(try ledger.processedBundles(runID: "R")["algebra"]?.outcome == .sent)
            #expect(try ledger.duplicateOf(gradebookSHA256: "g", jsonSHA256: "j") == nil, "a bundle with errors is never a duplicate")
            #expect(try ledger.history(ofSection: "MST1") == history)
            #expect(try ledger.history(ofSection: "MST2") == .empty)

            let all = try ledger.syncRequests(SyncRequestQuery())
            #expect(all.requests.map(\.id) == ["R-001", "R-002"])
            #expect(all.counts == [.success: 1, .failed: 1])
            #expect(try ledger.syncRequests(SyncRequestQuery(status: .failed)).requests.map(\.id) == ["R-002"])
            #expect(try ledger.syncRequests(SyncRequestQuery(search: "604863")).requests.map(\.id) == ["R-001"])
            #expect(try ledger.syncRequests(SyncRequestQuery(search: "6048")).requests.isEmpty, "student ids match exactly")
            #expect(try ledger.syncRequests(SyncRequestQuery(search: "mst2")).requests.map(\.id) == ["R-002"])
            #expect(try ledger.syncRequests(SyncRequestQuery(search: "CRS-ALG")).requests.count == 2)
            #expect(try ledger.syncRequests(SyncRequestQuery(search: "%")).requests.isEmpty, "LIKE wildcards are literal")
            #expect(try ledger.syncRequests(SyncRequestQuery(runID: "other")).requests.isEmpty)

            let events = try ledger.pool.read { db in try String.fetchAll(db, sql: "SELECT status FROM sync_request_event WHERE request_id = 'R-002' ORDER BY rowid") }
            #expect(events == ["in queue", "in progress", "failed"])
            #expect(try ledger.integrityCheck() == "ok")

            // A second process reads while this one holds a write transaction (WAL).
            let reader = try Ledger(path: path, readOnly: true)
            try ledger.pool.write { db in
                try db.execute(sql: "UPDATE sync_request SET errors = 5 WHERE id = 'R-002'")
                #expect(try reader.syncRequests(SyncRequestQuery()).requests.count == 2)
            }
            var info = stat()
            stat(path, &info)
            #expect(info.st_mode & 0o077 == 0)
        }
    }
}

@Suite struct ReportChunkEncodingTests {
    /// A row appended to a chunk is the same record as its cells written by SpreadsheetCSV.
    @Test func rowsEncodeAsTheirCells() {
        let rows = [
            ReportRow(
                runID: "r", requestID: nil, status: .error, rule: RuleCode("x"), subject: ReportSubject(courseSISID: "=1+2", canvasCourseID: "4", assignmentName: "a, \"b\"\nc"),
                count: 3, location: SourceLocation(file: "f.csv", line: 9), message: "-m"),
            ReportRow(runID: "r", requestID: "r-001", status: .success, rule: nil, subject: ReportSubject(), message: "Sent 1 grade."),
            ReportRow(runID: "r", requestID: nil, status: .skipped, rule: .duplicateFile, subject: ReportSubject(), message: ""),
        ]
        let chunk = ReportChunk(rows)
        var expected: [UInt8] = []
        for row in rows { SpreadsheetCSV.appendRecord(row.cells, to: &expected) }
        #expect(chunk.body == expected)
        #expect(chunk.counts == [.error: 1, .success: 1, .skipped: 1])
    }
}
