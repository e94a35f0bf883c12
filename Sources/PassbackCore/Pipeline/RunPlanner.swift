import Foundation

/// Phase 4 of a run: what becomes of each bundle before any is processed, decided in input
/// order from the scans (phase 3).
///
/// - A bundle byte-identical to one an earlier run processed cleanly is a duplicate (incremental
///   mode only; spec section 6).
/// - Every other bundle gets one request per Aspire section, `in queue` (a killed run's are
///   reused, so ids never change).
/// - A newer bundle of the same course in the run cancels the older (by modification time, then
///   name).
/// - A bundle that sends to an Aspire section an earlier bundle of the run also sends to depends
///   on it: it is prepared only once that one is recorded, so it diffs against its history.
struct RunPlanner {
    let context: RunContext

    /// The plan of the run's bundles.
    struct Plan: Sendable {
        var duplicates: [Duplicate] = []
        /// The bundles to prepare, in input order.
        var bundles: [PlannedBundle] = []
    }

    struct Duplicate: Sendable {
        var bundle: InboxScanner.Bundle
        var scan: BundleScan
        var earlierRun: String
    }

    /// A bundle to prepare, with what the plan decided for it.
    struct PlannedBundle: Sendable {
        var bundle: InboxScanner.Bundle
        var scan: BundleScan
        /// Its requests, one per Aspire section (none when the JSON did not read).
        var requests: [SyncRequestRecord] = []
        /// The newer bundle of the same course that cancels this one.
        var cancelledBy: String?
        /// The position of the last earlier bundle that sends to one of its Aspire sections.
        var dependsOn: Int?
        /// How many runs stopped while preparing it, when two or more did: it is quarantined
        /// unread, so that it cannot stop the district's nights (`stopped-twice`).
        var setAsideAfterStops: Int?
    }

    /// A bundle is set aside once this many runs stopped while preparing it.
    static let stopsBeforeSettingAside = 2

    func plan(_ bundles: [InboxScanner.Bundle], scans: [BundleScan]) throws -> Plan {
        var plan = Plan()
        let earlierRuns =
            context.mode == .incremental
            ? try context.ledger.duplicatesOf(scans.map { ($0.gradebookSHA256, $0.jsonSHA256) })
            : Array(repeating: nil, count: scans.count)
        for ((bundle, scan), earlierRun) in zip(zip(bundles, scans), earlierRuns) {
            if let earlierRun {
                plan.duplicates.append(Duplicate(bundle: bundle, scan: scan, earlierRun: earlierRun))
            } else {
                plan.bundles.append(PlannedBundle(bundle: bundle, scan: scan))
            }
        }
        try assignRequests(&plan.bundles)
        let stops = try context.ledger.bundleStops(runID: context.runID)
        let published = Self.publishedFiles(runID: context.runID, outbox: context.workspace.outbox.path)
        for index in plan.bundles.indices {
            guard let count = stops[plan.bundles[index].bundle.stem], count >= Self.stopsBeforeSettingAside else { continue }
            // A bundle this run already published XML for was prepared once: it is not what
            // stops the runs, and set aside, its grades would wait in outbox/ for Aspire while the
            // ledger never learnt they were sent. It is prepared again and its file adopted.
            let sections = plan.bundles[index].requests.map { RunRecorder.outboxName(runID: context.runID, sectionSISID: $0.key.sectionSISID) }
            if sections.contains(where: { published.contains($0) }) {
                context.logger.warning(
                    "runs stopped while preparing a bundle whose XML this run had already published; it is prepared again to record what was sent",
                    metadata: ["bundle": "\(plan.bundles[index].bundle.stem)", "stops": "\(count)"])
                continue
            }
            plan.bundles[index].setAsideAfterStops = count
        }
        cancelOlderBundles(&plan.bundles)
        orderBundlesThatShareASection(&plan.bundles)
        return plan
    }

    /// The names (``RunRecorder/outboxName(runID:sectionSISID:)``, without `.xml` and without a
    /// `_2`, `_3` number) of the files `runID` published in `outbox/`: what a killed run of this
    /// id left there unrecorded.
    static func publishedFiles(runID: String, outbox: String) -> Set<String> {
        let prefix = runID + "_"
        var names = Set<String>()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? [] where name.hasPrefix(prefix) && name.hasSuffix(".xml") {
            let base = name.dropLast(4)
            if let mark = base.lastIndex(of: "_"), base.index(after: mark) < base.endIndex, base[base.index(after: mark)...].allSatisfy({ $0.isASCII && $0.isNumber }) {
                names.insert(String(base[..<mark]))
            }
            names.insert(String(base))
        }
        return names
    }

    /// Creates each bundle's requests `in queue`, one per Aspire section, numbered in the run
    /// (`<run id>-001`), or reuses those a killed run created.
    private func assignRequests(_ bundles: inout [PlannedBundle]) throws {
        let existing = try context.ledger.requests(runID: context.runID)
        var number = existing.values.joined().count
        var created: [SyncRequestRecord] = []
        for index in bundles.indices {
            guard let canvas = bundles[index].scan.canvas else { continue }
            let stem = bundles[index].bundle.stem
            if let reused = existing[stem] {
                bundles[index].requests = reused
                continue
            }
            for section in canvas.sections {
                guard let sis = section.sisSectionID else { continue }
                number += 1
                let key = SyncRequestKey(bundleStem: stem, courseSISID: canvas.course.sisCourseID, canvasCourseID: canvas.course.id, sectionSISID: sis, canvasSectionID: section.id)
                bundles[index].requests.append(SyncRequestRecord(id: String(format: "%@-%03d", context.runID, number), key: key))
            }
            created += bundles[index].requests
        }
        try StageClock.shared.measure(.ledger) { try context.ledger.enqueue(created, runID: context.runID, at: context.clock) }
    }

    /// A newer bundle of the same course in the same run cancels the older ones.
    private func cancelOlderBundles(_ bundles: inout [PlannedBundle]) {
        var newest: [String: (stem: String, time: Date)] = [:]
        for planned in bundles {
            guard let course = planned.scan.canvas?.course.id else { continue }
            let time = max(planned.bundle.gradebook.modified, planned.bundle.json.modified)
            if let current = newest[course], (current.time, current.stem) > (time, planned.bundle.stem) { continue }
            newest[course] = (planned.bundle.stem, time)
        }
        for index in bundles.indices {
            guard let course = bundles[index].scan.canvas?.course.id, let winner = newest[course], winner.stem != bundles[index].bundle.stem else { continue }
            bundles[index].cancelledBy = winner.stem
        }
    }

    private func orderBundlesThatShareASection(_ bundles: inout [PlannedBundle]) {
        var lastWriter: [String: Int] = [:]
        for index in bundles.indices where bundles[index].cancelledBy == nil {
            guard let canvas = bundles[index].scan.canvas else { continue }
            for sis in Set(canvas.sections.compactMap(\.sisSectionID)) {
                if let earlier = lastWriter[sis] { bundles[index].dependsOn = max(bundles[index].dependsOn ?? earlier, earlier) }
                lastWriter[sis] = index
            }
        }
    }
}
