import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `passback prune`: removes what finished runs older than a number of days left behind, so a
/// workspace does not grow by ~3 GB a school year (a 2,000-course district's nightly report rows
/// alone are ~17 MB).
///
/// For each finished run that started before the cutoff: its archived inputs
/// (`archive/<date>/<run id>/`), its reports (`reports/<run id>.*`), its quarantine
/// (`quarantine/<run id>/`), its published XML (`outbox/<run id>_*.xml`) and the report rows the
/// ledger keeps for it; `reports/index.html` is written again without links to the removed
/// pages. Runs, sync requests, grade histories, categories and content digests
/// stay: they are what `status` answers from and what the next run diffs against. Nothing of a
/// run that has not finished is touched (the next run finishes it from its work folder, its
/// ledger rows and its published XML), and the run lock is held throughout, so no run starts
/// meanwhile. Files are removed through held folders, never following a link.
public struct WorkspacePruner {
    let workspace: Workspace
    let olderThanDays: Int
    let now: Date
    let dryRun: Bool

    public init(workspace: Workspace, olderThanDays: Int, now: Date = Date(), dryRun: Bool) {
        self.workspace = workspace
        self.olderThanDays = olderThanDays
        self.now = now
        self.dryRun = dryRun
    }

    var cutoff: Date { now.addingTimeInterval(-TimeInterval(olderThanDays) * 86_400) }

    /// Prunes (or, dry, counts what would go).
    /// - Throws: ``RunError`` of kind ``RunError/Kind/busy`` when a run holds the workspace
    ///   (exit 75), ``RunError/Kind/workspace`` or ``RunError/Kind/ledger`` when the workspace or
    ///   its ledger cannot be used (exit 2).
    public func prune() throws(RunError) -> PruneReport {
        do {
            return try pruneLocked()
        } catch let error as RunError {
            throw error
        } catch is RunLock.Busy {
            throw RunError(.busy, "a passback run holds the lock of \(workspace.root.path); prune again when it has finished")
        } catch {
            throw RunError(.workspace, "\(error)")
        }
    }

    private func pruneLocked() throws -> PruneReport {
        umask(0o077)
        try workspace.prepare()
        let lock = try RunLock(path: workspace.lockPath)
        defer { lock.release() }
        // Refused as a run refuses it when missing, replaced or damaged: nothing is removed then.
        let ledger = try WorkspaceLedger.open(workspace)
        var report = PruneReport(dryRun: dryRun, olderThanDays: olderThanDays, cutoff: cutoff)
        let runs = try ledger.finishedRuns(startedBefore: cutoff)
        report.runs = runs.count
        report.runsKept = try ledger.runCount() - runs.count
        report.ledgerBefore = ledgerSize()
        guard !runs.isEmpty else {
            report.ledgerAfter = report.ledgerBefore
            return report
        }
        let wanted = Set(runs)

        let root = try FolderHandle.open(workspace.root.path)
        // reports/<run id>.csv (and any other file of the run there: its HTML page).
        let reports = try root.folder("reports")
        for name in try reports.names().map(\.name) where wanted.contains(Self.runID(prefixOf: name, separator: ".")) {
            report.reports.add(remove(name, in: reports))
        }
        // outbox/<run id>_<section>.xml
        let outbox = try root.folder("outbox")
        for name in try outbox.names().map(\.name) where name.hasSuffix(".xml") && wanted.contains(Self.runID(prefixOf: name, separator: "_")) {
            report.xml.add(remove(name, in: outbox))
        }
        // quarantine/<run id>/
        let quarantine = try root.folder("quarantine")
        for name in try quarantine.names().map(\.name) where wanted.contains(name) {
            report.quarantined.add(remove(name, in: quarantine))
        }
        // archive/<date>/<run id>/, and the date folder once it is empty.
        let archive = try root.folder("archive")
        for date in try archive.names().map(\.name) {
            guard let info = archive.entry(date), info.st_mode & S_IFMT == S_IFDIR, let dated = try? archive.folder(date) else { continue }
            for name in try dated.names().map(\.name) where wanted.contains(name) {
                report.archived.add(remove(name, in: dated))
            }
            if !dryRun, (try? dated.names().isEmpty) == true { archive.removeEmptyFolder(date) }
        }

        let rows = try ledger.reportRowTotals(runIDs: runs)
        report.reportRows = rows.rows
        report.reportRowBytes = rows.bytes
        if dryRun {
            report.ledgerAfter = report.ledgerBefore
        } else {
            try ledger.pruneReportRows(runIDs: runs, at: now)
            try ledger.compact()
            report.ledgerAfter = ledgerSize()
            // The runs' index no longer links to the pages just removed.
            let calendar = try Settings.load(root: workspace.root).calendar()
            try StaffReport(workspace: workspace, ledger: ledger, calendar: calendar).writeIndex(current: nil)
        }
        return report
    }

    /// The run id a file name starts with (`20261127T090000Z-01` of `20261127T090000Z-01.csv`).
    static func runID(prefixOf name: String, separator: Character) -> String {
        name.firstIndex(of: separator).map { String(name[..<$0]) } ?? name
    }

    /// Removes (or, dry, measures) the entry `name` of `folder`: a file, a link (as a link) or a
    /// folder with everything in it, descending only into real folders.
    private func remove(_ name: String, in folder: FolderHandle) -> PruneReport.Tally {
        var tally = PruneReport.Tally()
        guard let info = folder.entry(name) else { return tally }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let child = try? folder.folder(name), let names = try? child.names() {
                for inner in names { tally.add(remove(inner.name, in: child)) }
            }
            if !dryRun { folder.removeEmptyFolder(name) }
        } else {
            tally.files += 1
            tally.bytes += Int64(info.st_size)
            if !dryRun { folder.remove(name) }
        }
        return tally
    }

    /// The ledger's size on disk: the database and its write-ahead log.
    private func ledgerSize() -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal"] {
            var info = stat()
            if stat(workspace.ledgerPath + suffix, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }
}

/// What `prune` removed (or would remove), for people.
public struct PruneReport: Sendable, Equatable {
    /// Files and their bytes.
    struct Tally: Sendable, Equatable {
        var files = 0
        var bytes: Int64 = 0

        mutating func add(_ other: Tally) {
            files += other.files
            bytes += other.bytes
        }
    }

    var dryRun: Bool
    var olderThanDays: Int
    var cutoff: Date
    var runs = 0
    var runsKept = 0
    var archived = Tally()
    var reports = Tally()
    var quarantined = Tally()
    var xml = Tally()
    var reportRows = 0
    var reportRowBytes: Int64 = 0
    var ledgerBefore: Int64 = 0
    var ledgerAfter: Int64 = 0

    /// What was removed, one line each, then the ledger's size before and after.
    public func lines(time: SchoolTime) -> [String] {
        let verb = dryRun ? "would remove" : "removed"
        var lines = [
            "\(grouped(runs)) finished run(s) started before \(time.format(cutoff)) (older than \(olderThanDays) day(s)); \(grouped(runsKept)) newer or unfinished run(s) kept"
        ]
        guard runs > 0 else {
            lines.append("nothing to remove; ledger \(Self.size(ledgerBefore))")
            return lines
        }
        lines.append("\(verb) \(grouped(archived.files)) archived input(s): \(Self.size(archived.bytes))")
        lines.append("\(verb) \(grouped(reports.files)) report file(s): \(Self.size(reports.bytes))")
        lines.append("\(verb) \(grouped(quarantined.files)) quarantined file(s) and reasons: \(Self.size(quarantined.bytes))")
        lines.append("\(verb) \(grouped(xml.files)) published XML file(s) from outbox/: \(Self.size(xml.bytes))")
        lines.append("\(verb) \(grouped(reportRows)) report row(s) from the ledger: \(Self.size(reportRowBytes)); runs, sync requests and grade histories are kept")
        let files = archived.bytes + reports.bytes + quarantined.bytes + xml.bytes
        if dryRun {
            lines.append("would free \(Self.size(files)) of files; ledger \(Self.size(ledgerBefore)) now (compacted after the rows are removed)")
        } else {
            lines.append("freed \(Self.size(files)) of files; ledger \(Self.size(ledgerBefore)) before, \(Self.size(ledgerAfter)) after")
        }
        return lines
    }

    /// `53.0 MB (53,012,480 bytes)`.
    static func size(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        guard unit > 0 else { return "\(grouped(Int(bytes))) bytes" }
        return String(format: "%.1f %@ (%@ bytes)", value, units[unit], grouped(Int(bytes)))
    }
}
