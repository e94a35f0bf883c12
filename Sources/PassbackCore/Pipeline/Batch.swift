import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The work of one run once its id exists: claims, reads, checks, writes, reports and records.
///
/// Everything a run decides is committed to the ledger in input order, a batch of bundles per
/// transaction (each bundle's XML published before), report rows included, and the report file
/// is written from the ledger at the end. So a run killed at any point is finished by the next
/// invocation (``RunPipeline/run(_:)`` processes unfinished runs first): its claimed files are
/// still in `work/<run id>/`, the bundles already committed are left there (or quarantined, when
/// rejected), the others are processed again with the run's own clock and ids, and an XML file
/// already published to `outbox/` is adopted, never written again under another name. Processed
/// inputs stay in the work folder until the run ends, which archives the folder whole.
struct Batch {
    let pipeline: RunPipeline
    let ledger: Ledger
    let run: Ledger.RunRecord
    let calendar: SchoolCalendar
    let mover: InputMover
    var filesClaimed = 0
    var filesWaiting = 0
    var filesRejected = 0
    private var requestNumber = 0
    /// XML files of this run in `outbox/`, by the request that published them.
    private var publishedNames: Set<String> = []
    /// Per pending bundle (phase 3) that is not cancelled: its requests' ids.
    private var pendingRequests: [Int: [String]] = [:]
    /// Phase 1, started by ``intake(_:)`` as bundles are claimed.
    private var scanAhead: BundleScanAhead?

    init(pipeline: RunPipeline, ledger: Ledger, run: Ledger.RunRecord, calendar: SchoolCalendar) {
        self.pipeline = pipeline
        self.ledger = ledger
        self.run = run
        self.calendar = calendar
        mover = InputMover(workspace: pipeline.workspace, runID: run.id)
    }

    private var runID: String { run.id }
    private var workspace: Workspace { pipeline.workspace }
    private var stages: PipelineStages { pipeline.stages }
    private var logger: Logger { pipeline.logger }
    private var today: LocalDate { calendar.localDate(of: run.clock) }
    private var clock: StageClock { .shared }

    // MARK: Intake

    /// Refuses what must not be read and claims the rest (a new run only).
    mutating func intake(_ scan: InboxScanner.Scan) throws {
        let scanAhead = BundleScanAhead(workers: workerCount, mover: mover, reader: stages.bundleReader)
        self.scanAhead = scanAhead
        do {
            try clock.measure(.intake) { try claim(scan, scanAhead: scanAhead) }
        } catch {
            _ = scanAhead.finish()
            throw error
        }
        clock.mark("claimed")
        CrashPoint.afterClaim.reach()
    }

    private mutating func claim(_ scan: InboxScanner.Scan, scanAhead: BundleScanAhead) throws {
        for rejection in scan.rejected {
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(rejection.code, rejection.message, location: SourceLocation(file: rejection.file.relativePath)))
            try ledger.appendReport(ReportChunk([row]), runID: runID)
            guard try mover.quarantine(rejection.file, code: rejection.code, message: rejection.message, line: nil, claimed: false) else {
                logger.warning("file left in the inbox: a folder on its path was replaced by a link", metadata: ["file": "\(rejection.file.relativePath)"])
                continue
            }
            filesRejected += 1
            logger.warning("file rejected", metadata: ["file": "\(rejection.file.relativePath)", "rule": "\(rejection.code)"])
        }
        defer { try? mover.syncClaims() }
        // Whether the file is now in the work folder (else it went to quarantine, or was left).
        func claimOne(_ file: InboxFile) throws -> Bool {
            switch try mover.claim(file) {
            case .claimed:
                filesClaimed += 1
                return true
            case .refused(let refusal):
                let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(.unknownFile, refusal, location: SourceLocation(file: file.relativePath)))
                try ledger.appendReport(ReportChunk([row]), runID: runID)
                try mover.quarantine(file, code: .unknownFile, message: refusal, line: nil, claimed: true)
                filesRejected += 1
                logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(RuleCode.unknownFile)"])
                return false
            case .leftInInbox(let why):
                logger.warning("file not claimed", metadata: ["file": "\(file.relativePath)", "why": "\(why)"])
                return false
            }
        }
        for file in scan.categoryExports {
            _ = try claimOne(file)
        }
        for bundle in scan.bundles {
            let gradebook = try claimOne(bundle.gradebook)
            if try claimOne(bundle.json), gradebook { scanAhead.add(bundle) }
        }
        filesWaiting = scan.waiting.count
        try mover.syncClaims()
    }

    // MARK: Processing

    /// Processes what is in the run's work folder: category exports first (bundles of this run
    /// are matched against them), then course bundles.
    ///
    /// Bundles go through three phases. (1) On every core: each bundle's content digests and
    /// its course and sections. (2) In input order: duplicates are set aside, requests are
    /// created, newer bundles of a course cancel older ones. (3) On every core, workers read,
    /// check, diff, write and validate bundles (``prepare(_:)``), while this thread publishes
    /// and records them in input order, several bundles per `fsync` cycle and per ledger
    /// transaction (``BundleCommitter``). A bundle whose Aspire section an earlier bundle of the
    /// run also sends to waits until that one is recorded, so it diffs against its history.
    mutating func processClaimed() throws {
        // The threads scanning ahead end with this, whatever happens.
        defer { _ = scanAhead?.finish() }
        let claimed = try mover.claimedFiles()
        if filesClaimed == 0 { filesClaimed = claimed.count }
        let groups = InputGroups(claimed)
        let done = try ledger.processedBundles(runID: runID)
        // Category exports oldest first: when two exports of a run name the same term and
        // section, the newer (by modification time, then name) replaces the older.
        for file in groups.categoryExports.sorted(by: { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }) {
            if let outcome = done[file.relativePath] {
                try finishFiles([file], outcome)
            } else {
                try clock.measure(.intake) { try importCategories(file) }
            }
        }
        // A killed run claimed one file of a pair (or something it should not have): the next
        // run claims it again, with its partner.
        for file in groups.halves.map(\.file) + groups.unknown {
            try mover.returnToInbox(file)
        }
        let bundles = groups.bundles
        let matcher = CategoryMatcher(catalog: try ledger.categoryCatalog())
        let settings = RuleSettings(nameLengthLimit: pipeline.settings.nameLengthLimit, calendar: calendar, now: run.clock)
        let checker = CourseChecker(rules: stages.rules, matcher: matcher, settings: settings)
        publishedNames = try ledger.publishedFiles(runID: runID)

        // Phase 1: digests and each bundle's course and sections, on every core.
        var fresh: [InboxScanner.Bundle] = []
        for bundle in bundles {
            if let outcome = done[bundle.stem] {
                try finishFiles([bundle.gradebook, bundle.json], outcome)
            } else {
                fresh.append(bundle)
            }
        }
        clock.mark("categories")
        let scans = try scan(fresh)
        clock.mark("scanned")

        // Phase 2: duplicates, requests, supersession; in input order.
        var pending: [PendingBundle] = []
        var duplicates: [(bundle: InboxScanner.Bundle, scan: BundleScan, earlierRun: String)] = []
        let earlierRuns = run.mode == .incremental
            ? try clock.measure(.intake) { try ledger.duplicatesOf(scans.map { ($0.gradebookSHA256, $0.jsonSHA256) }) }
            : Array(repeating: nil, count: scans.count)
        for ((bundle, scan), earlierRun) in zip(zip(fresh, scans), earlierRuns) {
            if let earlier = earlierRun {
                duplicates.append((bundle, scan, earlier))
                continue
            }
            pending.append(PendingBundle(bundle: bundle, scan: scan))
        }
        try skipDuplicates(duplicates)
        let plan = try clock.measure(.plan) { try planBundles(pending) }
        clock.mark("planned")

        // Phase 3: prepare on every core, publish and record here, in order.
        try processBundles(pending, plan: plan, checker: checker)
        clock.mark("recorded")
    }

    /// How many threads prepare bundles: the machine's cores (`PASSBACK_WORKERS` overrides).
    var workerCount: Int {
        if let text = ProcessInfo.processInfo.environment["PASSBACK_WORKERS"], let n = Int(text), n >= 1 { return min(n, 16) }
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    }

    /// What phase 1 learns of a bundle.
    struct BundleScan: Sendable {
        var gradebookSHA256: String
        var jsonSHA256: String
        /// The course and its sections, when the JSON reads (else the bundle is rejected later).
        var canvas: CanvasBundle.Outline?
    }

    struct PendingBundle: Sendable {
        var bundle: InboxScanner.Bundle
        var scan: BundleScan
    }

    /// Phase 1: digests and outlines, in input order; what ``intake(_:)`` scanned ahead, the
    /// rest on every core.
    private mutating func scan(_ bundles: [InboxScanner.Bundle]) throws -> [BundleScan] {
        let ahead = scanAhead?.finish() ?? [:]
        scanAhead = nil
        let missing = bundles.filter { ahead[BundleScanAhead.key($0)] == nil }
        let scanned = try Self.scanBundles(missing, mover: mover, reader: stages.bundleReader, workers: workerCount)
        var late = Dictionary(zip(missing.map(BundleScanAhead.key), scanned), uniquingKeysWith: { a, _ in a })
        return bundles.map { bundle in
            let key = BundleScanAhead.key(bundle)
            return ahead[key] ?? late.removeValue(forKey: key)!
        }
    }

    /// Phase 1 on `workers` threads: digests and outlines, in input order.
    static func scanBundles(_ bundles: [InboxScanner.Bundle], mover: InputMover, reader: any CanvasBundleReading, workers: Int) throws -> [BundleScan] {
        let results = ParallelMap(count: bundles.count)
        results.run(workers: workers) { index in try scanBundle(bundles[index], mover: mover, reader: reader) }
        return try results.values(as: BundleScan.self)
    }

    /// A bundle's content digests and its course and sections (`nil` when the JSON does not read:
    /// the bundle is rejected later).
    static func scanBundle(_ bundle: InboxScanner.Bundle, mover: InputMover, reader: any CanvasBundleReading) throws -> BundleScan {
        let clock = StageClock.shared
        let digests = try clock.measure(.intake) {
            (try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.gradebook)), try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.json)))
        }
        let outline = clock.measure(.plan) { try? reader.outline(fileAt: mover.claimedPath(bundle.json)) }
        return BundleScan(gradebookSHA256: digests.0, jsonSHA256: digests.1, canvas: outline)
    }

    /// Bundles byte-identical to one an earlier run processed without errors or held grades:
    /// archived (with the work folder, when the run ends), reported, nothing resent (spec section
    /// 6; `--bulk` processes them all the same). One transaction for all of them.
    private mutating func skipDuplicates(_ duplicates: [(bundle: InboxScanner.Bundle, scan: BundleScan, earlierRun: String)]) throws {
        guard !duplicates.isEmpty else { return }
        var entries: [Ledger.LedgerEntry] = []
        for (bundle, scan, earlierRun) in duplicates {
            let row = ReportRow(
                runID: runID, requestID: nil, status: .skipped, rule: .duplicateFile, subject: ReportSubject(),
                location: SourceLocation(file: bundle.json.relativePath),
                message: "Nothing resent: \(bundle.gradebook.name) and \(bundle.json.name) are byte-identical to a bundle that run \(earlierRun) processed without errors. Run with --bulk to send it all again."
            )
            let outcome = ProcessedBundle(stem: bundle.stem, outcome: .duplicate, gradebookSHA256: scan.gradebookSHA256, jsonSHA256: scan.jsonSHA256, clean: false)
            entries.append(Ledger.LedgerEntry(report: ReportChunk([row]), bundle: outcome))
        }
        try clock.measure(.ledger) { try ledger.commit(entries, runID: runID, at: run.clock) }
        CrashPoint.afterLedgerCommit.reach()
    }

    /// Archives the run's processed inputs (its work folder, whole), writes the report from the
    /// ledger, marks the run finished.
    mutating func finish() throws -> RunSummary {
        try clock.measure(.archive) { try mover.archiveWorkFolder(date: today) }
        CrashPoint.afterArchive.reach()
        let reportPath = workspace.reports.appendingPathComponent("\(runID).csv").path
        try clock.measure(.report) {
            let report = try ReportWriter(path: reportPath)
            try ledger.reportBodies(runID: runID) { try report.appendRaw($0) }
            try report.finish()
        }
        clock.mark("reported")
        CrashPoint.afterReport.reach()
        var summary = RunSummary()
        summary.runID = runID
        summary.reportPath = reportPath
        summary.rows = try ledger.reportCounts(runID: runID)
        let totals = try ledger.requestTotals(runID: runID)
        summary.requests = totals.statuses
        summary.resultsSent = totals.results
        summary.xmlFiles = totals.files
        summary.filesClaimed = filesClaimed
        summary.filesRejected = filesRejected
        summary.filesWaiting = filesWaiting
        try ledger.finishRun(id: runID, status: "finished", exitCode: summary.exitCode, reportFile: reportPath, summary: summary.line)
        return summary
    }

    // MARK: Categories

    private mutating func importCategories(_ file: InboxFile) throws {
        let path = mover.claimedPath(file)
        let reader = InputKind(relativePath: file.relativePath) == .categoriesXML ? stages.categoryXMLReader : stages.categoryCSVReader
        do {
            let export = try reader.read(fileAt: path)
            try ledger.storeCategories(export.categories, sourceFile: file.relativePath, runID: runID)
            CrashPoint.afterCategoryImport.reach()
            let sections = Set(export.categories.map(\.classSourcedID)).count
            logger.info("categories imported", metadata: ["file": "\(file.relativePath)", "categories": "\(export.categories.count)", "sections": "\(sections)"])
        } catch let error as InputFileError {
            let row = ReportRow(runID: runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: file.relativePath, line: error.line)))
            let outcome = ProcessedBundle(
                stem: file.relativePath, outcome: .rejected, gradebookSHA256: nil, jsonSHA256: nil, clean: false,
                rejection: .init(file: file.relativePath, code: error.code, message: error.message, line: error.line)
            )
            try ledger.commit([], report: ReportChunk([row]), bundle: outcome, runID: runID, at: run.clock)
            try finishFiles([file], outcome)
            filesRejected += 1
            logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(error.code)"])
        }
    }

    // MARK: Bundles

    /// Per bundle stem: its requests (in queue), or the newer bundle that cancels it.
    struct BundlePlan {
        var requests: [String: [SyncRequestRecord]] = [:]
        var cancelledBy: [String: String] = [:]
    }

    /// Uses each bundle's course and sections (phase 1) to create its requests `in queue` (or
    /// reuse those a killed run created); a newer bundle of the same course in the same run
    /// cancels an older one.
    private mutating func planBundles(_ bundles: [PendingBundle]) throws -> BundlePlan {
        var plan = BundlePlan()
        let existing = try ledger.requests(runID: runID)
        requestNumber = existing.values.joined().count
        var newest: [String: (stem: String, time: Date)] = [:]
        for pending in bundles {
            guard let canvas = pending.scan.canvas else { continue }
            let bundle = pending.bundle
            let time = max(bundle.gradebook.modified, bundle.json.modified)
            if let current = newest[canvas.course.id], (current.time, current.stem) > (time, bundle.stem) { continue }
            newest[canvas.course.id] = (bundle.stem, time)
        }
        var records: [SyncRequestRecord] = []
        for pending in bundles {
            guard let canvas = pending.scan.canvas else { continue }
            let bundle = pending.bundle
            if let winner = newest[canvas.course.id], winner.stem != bundle.stem {
                plan.cancelledBy[bundle.stem] = winner.stem
            }
            if let reused = existing[bundle.stem] {
                plan.requests[bundle.stem] = reused
                continue
            }
            var list: [SyncRequestRecord] = []
            for section in canvas.sections {
                guard let sis = section.sisSectionID else { continue }
                requestNumber += 1
                let key = SyncRequestKey(bundleStem: bundle.stem, courseSISID: canvas.course.sisCourseID, canvasCourseID: canvas.course.id, sectionSISID: sis, canvasSectionID: section.id)
                list.append(SyncRequestRecord(id: String(format: "%@-%03d", runID, requestNumber), key: key))
            }
            plan.requests[bundle.stem] = list
            records += list
        }
        try clock.measure(.ledger) { try ledger.enqueue(records, runID: runID, at: run.clock) }
        return plan
    }

    /// Quarantines the files of a committed rejection (a bundle's two, or one category export):
    /// right after the commit, or after a crash between the commit and the move. The files of
    /// any other outcome stay in the work folder, which ``finish()`` archives whole.
    private func finishFiles(_ files: [InboxFile], _ outcome: ProcessedBundle) throws {
        guard outcome.outcome == .rejected, let rejection = outcome.rejection else { return }
        try clock.measure(.archive) {
            for file in files {
                let isBad = file.relativePath == rejection.file
                let message = isBad ? rejection.message : "Held with its partner \((rejection.file as NSString).lastPathComponent), which was rejected: \(rejection.message)"
                try mover.quarantine(file, code: rejection.code, message: message, line: isBad ? rejection.line : nil, claimed: true)
            }
        }
    }

    /// Phase 3: workers prepare bundles (``BundleWork/prepare(_:)``) ahead of this thread, which
    /// takes them in input order and records them in batches (``record(_:)``).
    private mutating func processBundles(_ pending: [PendingBundle], plan: BundlePlan, checker: CourseChecker) throws {
        guard !pending.isEmpty else { return }
        // Which earlier bundle of the run last sends to one of a bundle's Aspire sections: it
        // must be recorded before this one reads that section's history.
        var lastWriter: [String: Int] = [:]
        var dependsOn = [Int](repeating: -1, count: pending.count)
        for (index, item) in pending.enumerated() where plan.cancelledBy[item.bundle.stem] == nil {
            guard let canvas = item.scan.canvas else { continue }
            for sis in Set(canvas.sections.compactMap(\.sisSectionID)) {
                if let earlier = lastWriter[sis] { dependsOn[index] = max(dependsOn[index], earlier) }
                lastWriter[sis] = index
            }
        }
        let work = BundleWork(
            runID: runID, mode: run.mode, clock: run.clock, stages: stages, mover: mover, ledger: ledger, checker: checker,
            selector: ResultSelector(mode: run.mode, now: run.clock, window: TimeInterval(pipeline.settings.incrementalWindowDays) * 86_400),
            header: PassbackHeader(runID: runID, mode: run.mode, generatedAt: run.clock), logger: logger,
            pending: pending, plan: plan
        )
        pendingRequests = [:]
        for (index, item) in pending.enumerated() where plan.cancelledBy[item.bundle.stem] == nil {
            pendingRequests[index] = plan.requests[item.bundle.stem]?.map(\.id)
        }
        let maxBatch = Self.maximumBatch
        // Workers may run two batches ahead of what is recorded: while this thread publishes and
        // records one batch, they prepare the whole next one (with one batch of room they
        // stalled a few bundles in, and a 2,000-course incremental run took 2.6 s, not 2.3 s).
        let queue = BundleQueue(count: pending.count, dependsOn: dependsOn, lookahead: 2 * maxBatch + 4 * workerCount)
        let workers = max(1, min(workerCount, pending.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let index = queue.take() {
                    let result: Result<PreparedBundle, any Error>
                    do { result = .success(try work.prepare(index)) } catch { result = .failure(error) }
                    queue.deliver(index, result)
                }
            }
        }
        defer {
            queue.stop()
            group.wait()
        }

        // In input order: record a batch when it is full, or when the next bundle is not ready
        // and cannot be until the batch is recorded (a worker waits on a section it sends to,
        // or every worker is as far ahead as it may go).
        var batch: [PreparedBundle] = []
        var index = 0
        while index < pending.count {
            switch queue.next(index, flushWanted: { stalled in !batch.isEmpty && stalled }) {
            case .ready(let result):
                let prepared: PreparedBundle
                do {
                    prepared = try result.get()
                } catch {
                    try record(batch, queue: queue)
                    throw error
                }
                batch.append(prepared)
                index += 1
                if batch.count >= maxBatch {
                    try record(batch, queue: queue)
                    batch = []
                }
            case .flush:
                try record(batch, queue: queue)
                batch = []
            }
        }
        try record(batch, queue: queue)
    }

    /// The most bundles recorded together: one `fsync` of `outbox/` and of the ledger's WAL per
    /// batch (each costs 10-20 ms on this project's machine). Prepared bundles
    /// waiting to be recorded hold only rows, outcomes and encoded histories (their XML is on
    /// disk), a few tens of KB each.
    static let maximumBatch = 128

    /// Publishes and records a batch of prepared bundles, in order: every XML file is synced and
    /// renamed into `outbox/` (the folder synced once), then one ledger transaction records the
    /// batch, then rejected bundles' inputs are quarantined (the others wait in the work folder
    /// for the run's end). A crash anywhere leaves what the next run needs: published files it
    /// adopts, unrecorded bundles it redoes.
    private mutating func record(_ batch: [PreparedBundle], queue: BundleQueue) throws {
        guard !batch.isEmpty else { return }
        // Publish.
        var entries: [Ledger.LedgerEntry] = []
        try clock.measure(.publish) {
            var published = false
            for prepared in batch {
                var entry = prepared.entry
                for file in prepared.files {
                    entry.outcomes[file.outcome].outboxFile = try publish(file)
                    published = true
                }
                entries.append(entry)
            }
            if published { try DurableFile.syncDirectory(at: workspace.outbox.path) }
        }
        for prepared in batch where !prepared.files.isEmpty {
            for _ in prepared.files { CrashPoint.afterXMLPublished.reach() }
        }
        // Record: requests still waiting for a worker are marked in progress in the same
        // transaction (their `in progress` event precedes their outcome, as it did one bundle at
        // a time).
        let inProgress = (batch.map(\.index) + queue.dispatched(after: batch.last!.index))
            .filter { queue.markInProgress($0) }
            .flatMap { pendingRequests[$0] ?? [] }
        try clock.measure(.ledger) { try ledger.commit(entries, inProgress: inProgress, runID: runID, at: run.clock) }
        CrashPoint.afterLedgerCommit.reach()
        queue.recorded(through: batch.last!.index)
        // Quarantine rejected bundles.
        for prepared in batch {
            let bundle = prepared.bundle
            if let outcome = prepared.entry.bundle, outcome.outcome == .rejected {
                filesRejected += 1
                logger.warning("file rejected", metadata: ["file": "\(outcome.rejection?.file ?? bundle.stem)", "rule": "\(outcome.rejection?.code.rawValue ?? "")"])
                try finishFiles([bundle.gradebook, bundle.json], outcome)
            }
        }
    }

    /// Syncs a validated temporary XML file and renames it into `outbox/` under the section's
    /// name (numbered when another request of the run has that name), or adopts the file a
    /// killed run of the same id already published there under that name.
    private mutating func publish(_ file: PreparedFile) throws -> String {
        let base = "\(runID)_\(Workspace.fileComponent(file.sectionSISID))"
        var name = base + ".xml"
        var suffix = 1
        // Another request of this run (another course naming the same Aspire section) has it.
        while publishedNames.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix).xml"
        }
        publishedNames.insert(name)
        let target = workspace.outbox.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: target) {
            // Published by this run before it was killed, never recorded: the same inputs, clock
            // and ledger state make the same content, so the file is adopted as it is.
            logger.info("adopted a published file", metadata: ["file": "\(name)"])
            unlink(file.temporaryPath)
            return name
        }
        try DurableFile.publishWrittenFile(at: file.temporaryPath, as: target, syncingDirectory: false)
        if clock.isEnabled {
            clock.count("xml_bytes", file.bytes)
            clock.count("xml_files", 1)
            clock.count("results_written", file.results)
        }
        return name
    }
}
