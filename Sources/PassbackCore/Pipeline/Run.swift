import Foundation
import Logging

/// One run once its id exists, as the sequence of its phases. Each phase is a type of its own;
/// this one only passes what one phase learns to the next.
///
/// 1. **Claim** (``InboxClaimer``): refuse what must not be read, move the rest into
///    `work/<run id>/`; bundles start being scanned as soon as their two files are claimed.
/// 2. **Categories** (``CategoryImport``): category exports, oldest first, into the ledger.
/// 3. **Scan** (``BundleScan``): every bundle's content digests, course and sections.
/// 4. **Plan** (``RunPlanner``): duplicates set aside, requests created `in queue` (or reused),
///    older bundles of a course cancelled, bundles that share an Aspire section ordered.
/// 5. **Prepare and record**: workers read, check, diff, write and validate each bundle
///    (``BundlePreparer``) a bounded window ahead of this thread, which publishes and records
///    them in input order, a commit group at a time (``RunRecorder``).
/// 6. **Finish**: the work folder archived whole, the report written from the ledger, the run
///    marked finished.
///
/// Everything a run decides is committed to the ledger in input order, each bundle's XML
/// published before the transaction that records it. So a run killed at any point is finished
/// by the next invocation (``RunPipeline``): its claimed files are still in `work/<run id>/`,
/// bundles already committed are left there (or quarantined, when rejected), the others are
/// processed again with the run's own clock and ids, and an XML file already in `outbox/` is
/// adopted, never written again under another name.
struct Run {
    let context: RunContext
    private(set) var files = FileCounts()
    /// Phase 3, started by ``claim(_:)`` while files are still being claimed.
    private var scanning: OrderedWorkerPool<InboxScanner.Bundle, BundleScan>?
    /// The bundles given to ``scanning``, in order.
    private var submittedForScan: [InboxScanner.Bundle] = []

    /// Files the run claimed, rejected, or left waiting in the inbox.
    struct FileCounts {
        var claimed = 0
        var rejected = 0
        var waiting = 0
    }

    init(context: RunContext) {
        self.context = context
    }

    private var clock: StageClock { .shared }

    /// Phase 1 (a new run only): claims what the scan found; bundles are scanned from the moment
    /// both their files are in the work folder.
    mutating func claim(_ scan: InboxScanner.Scan) throws {
        let scanning = startScanning()
        var claimer = InboxClaimer(context: context)
        var submitted: [InboxScanner.Bundle] = []
        defer { submittedForScan += submitted }
        try clock.measure(.intake) {
            try claimer.claim(scan) { bundle in
                submitted.append(bundle)
                scanning.submit(bundle)
            }
        }
        files = claimer.counts
        clock.mark("claimed")
        CrashPoint.afterClaim.reach()
        try context.stopIfRequested("claiming \(files.claimed) file(s)")
    }

    /// Phases 2 to 5 over what is in the run's work folder: a new run's claims, or what a killed
    /// run left.
    mutating func process() throws {
        let scanning = startScanning()
        defer { scanning.stop() }
        let claimed = try context.mover.claimedFiles()
        if files.claimed == 0 { files.claimed = claimed.count }
        let inputs = InputGroups(claimed)
        let done = try context.ledger.processedBundles(runID: context.runID)
        var recorder = RunRecorder(context: context, published: try context.ledger.publishedFiles(runID: context.runID))

        // Phase 2: category exports, oldest first (the newer export of a section replaces the
        // older); those a killed run committed are only finished.
        let categories = CategoryImport(context: context)
        for file in inputs.categoryExports.sorted(by: { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }) {
            if let outcome = done[file.relativePath] {
                try recorder.finishFiles([file], outcome)
            } else if try clock.measure(.intake, { try categories.importExport(file) }) {
                files.rejected += 1
            }
        }
        // A killed run claimed one file of a pair (or something it should not have): the next
        // run claims it again, with its partner.
        for file in inputs.halves.map(\.file) + inputs.unknown {
            try context.mover.returnToInbox(file)
        }
        clock.mark("categories")
        try context.stopIfRequested("importing the category exports")

        // Phase 3: every bundle not yet committed, scanned (most of them while claiming).
        var fresh: [InboxScanner.Bundle] = []
        for bundle in inputs.bundles {
            if let outcome = done[bundle.stem] {
                try recorder.finishFiles([bundle.gradebook, bundle.json], outcome)
            } else {
                fresh.append(bundle)
            }
        }
        let scans = try scanAll(fresh, pool: scanning)
        clock.mark("scanned")

        // Phase 4: duplicates, requests, supersession, order.
        let plan = try clock.measure(.plan) { try RunPlanner(context: context).plan(fresh, scans: scans) }
        try recorder.recordDuplicates(plan.duplicates)
        clock.mark("planned")

        // Phase 5: prepare on every core, publish and record here, in order.
        let matcher = CategoryMatcher(catalog: try context.ledger.categoryCatalog())
        let preparer = BundlePreparer(context: context, plan: plan, matcher: matcher)
        files.rejected += try recorder.prepareAndRecord(plan.bundles, preparer: preparer)
        clock.mark("recorded")
    }

    /// The scan pool of phase 3; started once, by whichever phase comes first.
    private mutating func startScanning() -> OrderedWorkerPool<InboxScanner.Bundle, BundleScan> {
        if let scanning { return scanning }
        let mover = context.mover
        let reader = context.stages.bundleReader
        let pool = OrderedWorkerPool<InboxScanner.Bundle, BundleScan>(workers: context.workers) { bundle in
            try BundleScan(bundle, mover: mover, reader: reader)
        }
        scanning = pool
        return pool
    }

    /// Phase 3: the scans of `bundles`, in their order: those submitted while claiming, the rest
    /// (a resumed run's) submitted now. A scan that failed is done again here, and its error
    /// stops the run.
    private mutating func scanAll(_ bundles: [InboxScanner.Bundle], pool: OrderedWorkerPool<InboxScanner.Bundle, BundleScan>) throws -> [BundleScan] {
        var submitted = Set(submittedForScan)
        for bundle in bundles where submitted.insert(bundle).inserted {
            pool.submit(bundle)
            submittedForScan.append(bundle)
        }
        var scans: [InboxScanner.Bundle: Result<BundleScan, any Error>] = [:]
        for (bundle, result) in zip(submittedForScan, pool.drain()) { scans[bundle] = result }
        return try bundles.map { try scans[$0]!.get() }
    }

    /// Phase 6: archives the run's processed inputs (its work folder, whole), writes the report
    /// from the ledger, marks the run finished.
    mutating func finish() throws -> RunSummary {
        let runID = context.runID
        try clock.measure(.archive) { try context.mover.archiveWorkFolder(date: context.today) }
        CrashPoint.afterArchive.reach()
        let reportPath = context.workspace.reports.appendingPathComponent("\(runID).csv").path
        try clock.measure(.report) {
            let report = try ReportWriter(path: reportPath)
            try context.ledger.reportBodies(runID: runID) { try report.appendRaw($0) }
            try report.finish()
        }
        clock.mark("reported")
        CrashPoint.afterReport.reach()
        var summary = RunSummary()
        summary.runID = runID
        summary.reportPath = reportPath
        summary.rows = try context.ledger.reportCounts(runID: runID)
        let totals = try context.ledger.requestTotals(runID: runID)
        summary.requests = totals.statuses
        summary.resultsSent = totals.results
        summary.xmlFiles = totals.files
        summary.filesClaimed = files.claimed
        summary.filesRejected = files.rejected
        summary.filesWaiting = files.waiting
        StaffReport(workspace: context.workspace, ledger: context.ledger, calendar: context.calendar, logger: context.logger).publish(summary)
        try context.ledger.finishRun(id: runID, status: "finished", exitCode: summary.exitCode, reportFile: reportPath, summary: summary.line)
        return summary
    }
}
