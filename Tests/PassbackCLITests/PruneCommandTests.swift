import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// `passback prune`: what finished runs older than the cutoff left goes (archived inputs,
/// reports, quarantine, published XML, their report rows); runs, requests and histories stay,
/// and nothing of an unfinished run is touched.
@Suite struct PruneCommandTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    /// The sizes of the files below `folder` (recursively).
    func bytes(below folder: URL, except kept: Set<String> = []) throws -> (files: Int, bytes: Int) {
        var files = 0
        var total = 0
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return (0, 0) }
        while let path = walker.nextObject() as? String {
            if kept.contains(path) { continue }
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.path + "/" + path)
            if attributes[.type] as? FileAttributeType == .typeRegular {
                files += 1
                total += attributes[.size] as? Int ?? 0
            }
        }
        return (files, total)
    }

    /// `53.0 MB (53,012,480 bytes)` as prune says it.
    func size(_ bytes: Int) -> String {
        var grouped = ""
        for (index, digit) in String(bytes).enumerated() {
            if index > 0, (String(bytes).count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        if bytes < 1000 { return "\(grouped) bytes" }
        let units = ["KB", "MB", "GB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@ (%@ bytes)", value, units[unit], grouped)
    }

    @Test func pruneRemovesAnOldRunsFilesAndReportRowsAndKeepsWhatTheLedgerNeeds() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let inputs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path)
        let saved = try CommandRunner.temporaryFolder("saved-inbox")
        defer { try? FileManager.default.removeItem(at: saved) }
        for name in inputs { try FileManager.default.copyItem(at: root.appendingPathComponent("inbox/\(name)"), to: saved.appendingPathComponent(name)) }
        #expect(try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock]).status == 1)

        // Today nothing is 30 days old.
        let young = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "30"])
        #expect(young.status == 0, "\(young.stderr)")
        #expect(young.stdout.hasPrefix("0 finished run(s) started before "))
        #expect(young.stdout.contains("(older than 30 day(s)); 1 newer or unfinished run(s) kept\nnothing to remove; ledger "))

        let later = ISOTimestamp.format(Date().addingTimeInterval(31 * 86_400))
        let archive = try bytes(below: root.appendingPathComponent("archive"))
        let quarantine = try bytes(below: root.appendingPathComponent("quarantine"))
        // The run's report and its staff page; the runs' index is not the run's and stays.
        let reports = try bytes(below: root.appendingPathComponent("reports"), except: ["index.html"])
        let outbox = try bytes(below: root.appendingPathComponent("outbox"))
        #expect(archive.files == 8 && quarantine.files == 6 && reports.files == 2 && outbox.files == 3)
        let reportRows = try String(contentsOf: root.appendingPathComponent("reports/\(Self.runID).csv"), encoding: .utf8).split(separator: "\r\n").count - 1

        let dry = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "30", "--now", later, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let dryLines = dry.stdout.split(separator: "\n").map(String.init)
        #expect(dryLines.count == 7, "\(dry.stdout)")
        #expect(dryLines[0].hasPrefix("1 finished run(s) started before "))
        #expect(dryLines[1] == "would remove 8 archived input(s): \(size(archive.bytes))")
        #expect(dryLines[2] == "would remove 2 report file(s): \(size(reports.bytes))")
        #expect(dryLines[3] == "would remove 6 quarantined file(s) and reasons: \(size(quarantine.bytes))")
        #expect(dryLines[4] == "would remove 3 published XML file(s) from outbox/: \(size(outbox.bytes))")
        #expect(dryLines[5].hasPrefix("would remove \(reportRows) report row(s) from the ledger: "))
        #expect(try bytes(below: root.appendingPathComponent("archive")).files == 8, "a dry run removed something")

        let pruned = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "30", "--now", later])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        let lines = pruned.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1] == "removed 8 archived input(s): \(size(archive.bytes))")
        #expect(lines[5].hasSuffix("; runs, sync requests and grade histories are kept"))
        let ledger = try #require(lines.last)
        #expect(ledger.hasPrefix("freed \(size(archive.bytes + reports.bytes + quarantine.bytes + outbox.bytes)) of files; ledger "), "\(ledger)")
        for folder in ["archive", "quarantine", "outbox"] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).isEmpty, "\(folder)/ is not empty")
        }
        // reports/ keeps only the runs' index, written again: the run is listed without a link
        // to the page that is gone, and the page is not written again from the pruned rows.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("reports").path) == ["index.html"])
        let index = try String(contentsOf: root.appendingPathComponent("reports/index.html"), encoding: .utf8)
        #expect(index.contains(Self.runID) && !index.contains("href=\"\(Self.runID).html\""))
        let page = try CommandRunner.run(["status", "--root", root.path, "--run", Self.runID, "--html"])
        #expect(page.status == 1)
        #expect(page.stderr.contains("run \(Self.runID) was pruned on "), "\(page.stderr)")
        // The ledger's own record stays: requests, the run (marked pruned), the rejected file's name.
        let status = try CommandRunner.run(["status", "--root", root.path])
        #expect(status.stdout.hasPrefix("in queue: 0  in progress: 0  success: 1  errors: 2  failed: 1  cancelled: 0\n"))
        let runs = try CommandRunner.run(["status", "--root", root.path, "--runs"])
        #expect(runs.stdout.contains("(pruned)"))
        let search = try CommandRunner.run(["status", "--root", root.path, "--search", "chemistry"])
        #expect(search.stdout.contains("incomplete-bundle  (pruned)"), "\(search.stdout)")

        // Pruned once, never again.
        let twice = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "30", "--now", later])
        #expect(twice.stdout.hasPrefix("0 finished run(s)"), "\(twice.stdout)")

        // What the next run needs is still there: the same biology bundle is a duplicate (its
        // content digests stayed), and nothing already sent is sent again (histories stayed).
        for name in ["biology.gradebook.csv", "biology.canvas.json"] {
            try FileManager.default.copyItem(at: saved.appendingPathComponent(name), to: root.appendingPathComponent("inbox/\(name)"))
        }
        let next = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-02T09:00:00Z"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("0 result(s) in 0 XML file(s)"), "\(next.stdout)")
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251002T090000Z-01.csv"), encoding: .utf8)
        #expect(report.contains(",skipped,duplicate-file,"))
    }

    /// A run that a crash left unfinished keeps everything: the next run finishes it.
    @Test func anUnfinishedRunIsNeverPruned() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let killed = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: ["PASSBACK_CRASH_AT": "after-xml-published"])
        #expect(killed.signal != nil || killed.status != 0)
        let later = ISOTimestamp.format(Date().addingTimeInterval(400 * 86_400))
        let pruned = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "1", "--now", later])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.hasPrefix("0 finished run(s) started before "))
        #expect(pruned.stdout.contains("; 1 newer or unfinished run(s) kept\n"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("work").path)).isEmpty)
        let finished = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(finished.status == 1)
        #expect(finished.stdout.hasPrefix("finished interrupted run \(Self.runID): "), "\(finished.stdout)")
    }

    @Test func badArgumentsExit2() throws {
        let root = try CommandRunner.temporaryFolder("prune-args").appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try CommandRunner.initWorkspace(root)
        let zero = try CommandRunner.run(["prune", "--root", root.path, "--older-than", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr == "passback: --older-than must be a whole number of days, 1 or more\n")
        let missing = try CommandRunner.run(["prune", "--root", root.path])
        #expect(missing.status == 2)
        #expect(missing.stderr == "passback: Missing expected argument '--older-than <older-than>'\n")
    }
}
