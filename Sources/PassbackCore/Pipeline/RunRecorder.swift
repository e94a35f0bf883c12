import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Phase 5 on the run's own thread: takes prepared bundles in input order and makes them
/// durable a commit group at a time. For each group: every XML file is `fsync`ed and renamed
/// into `outbox/` (adopting a file a killed run of the same id already published there), the
/// folder `fsync`ed once; then one ledger transaction records the group (outcomes, histories,
/// report rows, processed records); then the inputs of rejected bundles go to quarantine (the
/// others wait in the work folder for the run's end). A crash anywhere leaves what the next run
/// needs: published files it adopts, unrecorded bundles it prepares again.
struct RunRecorder {
    let context: RunContext
    /// XML files of this run in `outbox/`.
    private var published: Set<String>
    /// Prepared bundles whose requests are marked `in progress`.
    private var markedInProgress: Set<Int> = []
    /// Per planned bundle that is not cancelled: its requests' ids.
    private var requestIDs: [Int: [String]] = [:]

    init(context: RunContext, published: Set<String>) {
        self.context = context
        self.published = published
    }

    private var clock: StageClock { .shared }
    private var runID: String { context.runID }

    /// The most bundles recorded together: one `fsync` of `outbox/` and of the ledger's WAL per
    /// commit group (each costs milliseconds; docs/PERFORMANCE.md). Prepared bundles waiting to
    /// be recorded hold only rows, outcomes and encoded histories (their XML is on disk), a few
    /// tens of KB each.
    static let maximumGroup = 128

    /// Bundles byte-identical to one an earlier run processed without errors or held grades:
    /// archived (with the work folder, when the run ends), reported, nothing resent (spec section
    /// 6; `--bulk` processes them all the same). One transaction for all of them.
    func recordDuplicates(_ duplicates: [RunPlanner.Duplicate]) throws {
        guard !duplicates.isEmpty else { return }
        let entries = duplicates.map { duplicate in
            let bundle = duplicate.bundle
            let row = ReportRow(
                runID: runID, requestID: nil, status: .skipped, rule: .duplicateFile, subject: ReportSubject(),
                location: SourceLocation(file: bundle.json.relativePath),
                message:
                    "Nothing resent: \(bundle.gradebook.name) and \(bundle.json.name) are byte-identical to a bundle that run \(duplicate.earlierRun) processed without errors. Run with --bulk to send it all again."
            )
            let outcome = ProcessedBundle(
                stem: bundle.stem, outcome: .duplicate, gradebookSHA256: duplicate.scan.gradebookSHA256, jsonSHA256: duplicate.scan.jsonSHA256, clean: false)
            return Ledger.LedgerEntry(report: ReportChunk([row]), bundle: outcome)
        }
        try clock.measure(.ledger) { try context.ledger.commit(entries, runID: runID, at: context.clock) }
        CrashPoint.afterLedgerCommit.reach()
    }

    /// Workers prepare the planned bundles (``BundlePreparer``) on the worker pool, at most two
    /// commit groups and a few bundles per worker ahead of this thread, which takes them in
    /// input order and records them. A group is recorded when it is full, or when the next
    /// bundle is not ready and cannot be until the group is recorded (it depends on a bundle
    /// of the group, or the workers are as far ahead as they may go).
    /// - Returns: how many bundles were rejected.
    mutating func prepareAndRecord(_ bundles: [RunPlanner.PlannedBundle], preparer: BundlePreparer) throws -> Int {
        guard !bundles.isEmpty else { return 0 }
        for (index, planned) in bundles.enumerated() where planned.cancelledBy == nil {
            requestIDs[index] = planned.requests.map(\.id)
        }
        // Two groups of room: while this thread publishes and records one group, the workers
        // prepare the whole next one (with one group of room they stalled a few bundles in;
        // see docs/PERFORMANCE.md).
        let flight = FlightRecorder(runFolder: context.mover.workFolder.path)
        let pool = OrderedWorkerPool<Int, PreparedBundle>(
            workers: min(context.workers, bundles.count), lookahead: 2 * Self.maximumGroup + 4 * context.workers
        ) { index in
            let stem = bundles[index].bundle.stem
            flight?.started(stem)
            do {
                let prepared = try preparer.prepare(index)
                flight?.finished(stem)
                return prepared
            } catch {
                flight?.failed(stem)
                throw error
            }
        }
        defer { pool.stop() }
        for (index, planned) in bundles.enumerated() { pool.submit(index, after: planned.dependsOn) }

        var rejected = 0
        var group: [PreparedBundle] = []
        var index = 0
        while index < bundles.count {
            if context.stop?.isRequested == true {
                // A signal: record what is prepared (the group in flight), then stop.
                rejected += try record(group, pool: pool)
                try context.stopIfRequested("recording \(index) of \(bundles.count) bundle(s)")
            }
            switch pool.next(index, releaseWanted: { stalled in !group.isEmpty && stalled }) {
            case .ready(let result) where context.stop?.isRequested != true:
                let prepared: PreparedBundle
                do {
                    prepared = try result.get()
                } catch {
                    rejected += try record(group, pool: pool)
                    throw error
                }
                group.append(prepared)
                index += 1
                if group.count >= Self.maximumGroup {
                    rejected += try record(group, pool: pool)
                    group = []
                }
            case .ready, .release:
                rejected += try record(group, pool: pool)
                group = []
            }
        }
        rejected += try record(group, pool: pool)
        return rejected
    }

    /// Publishes and records one commit group, in order, then quarantines its rejected bundles.
    /// - Returns: how many bundles went to quarantine.
    private mutating func record(_ group: [PreparedBundle], pool: OrderedWorkerPool<Int, PreparedBundle>) throws -> Int {
        guard let last = group.last?.index else { return 0 }
        // Publish.
        var entries: [Ledger.LedgerEntry] = []
        try clock.measure(.publish) {
            var any = false
            for prepared in group {
                var entry = prepared.entry
                for file in prepared.files {
                    entry.outcomes[file.outcome].outboxFile = try publish(file)
                    any = true
                }
                entries.append(entry)
            }
            if any { try DurableFile.syncDirectory(at: context.workspace.outbox.path) }
        }
        for prepared in group {
            for _ in prepared.files { CrashPoint.afterXMLPublished.reach() }
        }
        // Record: requests of bundles the workers have taken are marked in progress in the same
        // transaction (their `in progress` event precedes their outcome, as it did one bundle at
        // a time).
        let inProgress = (group.map(\.index) + pool.taken(after: last))
            .filter { markedInProgress.insert($0).inserted }
            .flatMap { requestIDs[$0] ?? [] }
        try clock.measure(.ledger) { try context.ledger.commit(entries, inProgress: inProgress, runID: runID, at: context.clock) }
        CrashPoint.afterLedgerCommit.reach()
        markedInProgress = markedInProgress.filter { $0 > last }
        pool.release(through: last)
        // Quarantine rejected bundles.
        var rejected = 0
        for prepared in group {
            guard let outcome = prepared.entry.bundle, outcome.outcome == .rejected else { continue }
            rejected += 1
            context.logger.warning("file rejected", metadata: ["file": "\(outcome.rejection?.file ?? prepared.bundle.stem)", "rule": "\(outcome.rejection?.code.rawValue ?? "")"])
            try finishFiles([prepared.bundle.gradebook, prepared.bundle.json], outcome)
        }
        return rejected
    }

    /// Quarantines the files of a committed rejection (a bundle's two, or one category export):
    /// right after the commit, or after a crash between the commit and the move. The files of
    /// any other outcome stay in the work folder, which the run's end archives whole.
    func finishFiles(_ files: [InboxFile], _ outcome: ProcessedBundle) throws {
        try clock.measure(.archive) { try Self.quarantine(files, outcome, mover: context.mover) }
    }

    static func quarantine(_ files: [InboxFile], _ outcome: ProcessedBundle, mover: InputMover) throws {
        guard outcome.outcome == .rejected, let rejection = outcome.rejection else { return }
        for file in files {
            let isBad = file.relativePath == rejection.file
            let message = isBad ? rejection.message : "Held with its partner \((rejection.file as NSString).lastPathComponent), which was rejected: \(rejection.message)"
            try mover.quarantine(file, code: rejection.code, message: message, line: isBad ? rejection.line : nil, claimed: true)
        }
    }

    /// The name (without `.xml`) under which run `runID` publishes a section's file in
    /// `outbox/`; a second file of the run for the same section adds `_2`, `_3`...
    static func outboxName(runID: String, sectionSISID: String) -> String {
        "\(runID)_\(Workspace.fileComponent(sectionSISID))"
    }

    /// Syncs a validated temporary XML file and renames it into `outbox/` under the section's
    /// name (numbered when another request of the run has that name), or adopts the file a
    /// killed run of the same id already published there under that name.
    private mutating func publish(_ file: PreparedFile) throws -> String {
        let base = Self.outboxName(runID: runID, sectionSISID: file.sectionSISID)
        var name = base + ".xml"
        var suffix = 1
        // Another request of this run (another course naming the same Aspire section) has it.
        while published.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix).xml"
        }
        published.insert(name)
        let target = context.workspace.outbox.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: target) {
            // Published by this run before it was killed, never recorded: the same inputs, clock
            // and ledger state make the same content, so the file is adopted as it is; but only
            // when it is that content. Anything else under this run's name (a restored ledger
            // that reuses an id, a file put there by hand) is not this run's to adopt or replace.
            guard try ContentDigest.sha256(fileAt: target) == ContentDigest.sha256(fileAt: file.temporaryPath) else {
                throw OutboxConflict(name: name)
            }
            context.logger.info("adopted a published file", metadata: ["file": "\(name)"])
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

/// `outbox/` holds a file under a name this run would publish, with other content than the run
/// made: the run stops rather than adopt or replace it.
struct OutboxConflict: Error, CustomStringConvertible {
    var name: String
    var description: String {
        "outbox/\(name) exists with other content than this run wrote for it (it is not this run's: a restored ledger, or a file put there by hand); move it out of outbox/ (Aspire may already have it) and run again"
    }
}
