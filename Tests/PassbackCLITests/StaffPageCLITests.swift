import Foundation
import Testing

/// The staff page from the command line: a run killed after its CSV gets its page when the next
/// run finishes it, and `passback status --run ID --html` prints a page's path, writing it when
/// missing.
@Suite struct StaffPageCLITests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    @Test func aRunKilledAfterItsReportGetsItsPageFromTheNextRun() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let page = root.appendingPathComponent("reports/\(Self.runID).html")
        let killed = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: ["PASSBACK_CRASH_AT": "after-report"])
        #expect(killed.signal == SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: page.path))

        let next = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(next.status == 1, "\(next.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<h1>Passback run \(Self.runID)</h1>"))
        // The page counts what the CSV has.
        let csv = try String(contentsOf: root.appendingPathComponent("reports/\(Self.runID).csv"), encoding: .utf8)
        for status in ["success", "error", "warning", "skipped"] {
            let rows = csv.components(separatedBy: "\r\n").filter { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2).first == Substring(status) }.count
            #expect(
                html.contains("<span class=\"badge badge-\(status)\">\(status)</span></th><td>") && html.contains("</td><td class=\"n\">\(rows)</td></tr>"), "\(status): \(rows)")
        }
        let index = try String(contentsOf: root.appendingPathComponent("reports/index.html"), encoding: .utf8)
        #expect(index.contains("<a href=\"\(Self.runID).html\">\(Self.runID)</a>"))
    }

    @Test func statusPrintsThePathOfAPageAndWritesItWhenMissing() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        _ = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        let page = root.appendingPathComponent("reports/\(Self.runID).html").path

        let printed = try CommandRunner.run(["status", "--root", root.path, "--run", Self.runID, "--html"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout == page + "\n")

        try FileManager.default.removeItem(atPath: page)
        let written = try CommandRunner.run(["status", "--root", root.path, "--run", Self.runID, "--html"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout == page + "\n")
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<h1>Passback run \(Self.runID)</h1>"))

        let unknown = try CommandRunner.run(["status", "--root", root.path, "--run", "20990101T000000Z-01", "--html"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("the ledger has no run 20990101T000000Z-01"))
        let withoutRun = try CommandRunner.run(["status", "--root", root.path, "--html"])
        #expect(withoutRun.status == 2)
        #expect(withoutRun.stderr.contains("--html needs --run ID"))
    }
}
