import Foundation
import Testing

/// Runs the built binary on `samples/` (which exercises every rule, score kind and gradebook
/// variant) and compares its report and XML with the golden files checked in beside this test.
/// Regenerate them with `PASSBACK_UPDATE_GOLDEN=1 swift test --filter SamplesEndToEndTests`, then
/// read the diff: the golden files are the expected behaviour.
@Suite struct SamplesEndToEndTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    var golden: URL { CommandRunner.repositoryRoot.appendingPathComponent("Tests/PassbackCLITests/Golden") }
    var updating: Bool { ProcessInfo.processInfo.environment["PASSBACK_UPDATE_GOLDEN"] == "1" }

    func compare(_ actual: Data, golden name: String) throws {
        let url = golden.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url)
            return
        }
        let expected = try Data(contentsOf: url)
        #expect(actual == expected, "\(name) differs from the golden file")
        if actual != expected {
            let a = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
            let e = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
            for (i, (x, y)) in zip(a, e).enumerated() where x != y {
                Issue.record("first difference at line \(i + 1):\n  got:      \(x)\n  expected: \(y)")
                break
            }
        }
    }

    @Test func theDemoRunMatchesTheGoldenReportAndXML() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "the samples break rules on purpose: \(result.stderr)")
        #expect(result.stderr.contains("error(s) reported"))

        let report = try Data(contentsOf: root.appendingPathComponent("reports/\(Self.runID).csv"))
        try compare(report, golden: "samples-report.csv")

        let outbox = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path).sorted()
        let expectedNames = ["MST0000007Xy12", "MST0000008Zz34", "MST0000009Bb56"].map { "\(Self.runID)_\($0).xml" }
        #expect(outbox == expectedNames)
        for name in outbox {
            try compare(try Data(contentsOf: root.appendingPathComponent("outbox/\(name)")), golden: "samples-outbox/\(name)")
        }

        // Every input ended in the archive or in quarantine; nothing is left in the inbox or work.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("work").path).isEmpty)
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("quarantine/\(Self.runID)").path).sorted()
        #expect(
            quarantined == [
                "aspire-702-Q2.categories.csv", "aspire-702-Q2.categories.csv.reason.txt",
                "chemistry.gradebook.csv", "chemistry.gradebook.csv.reason.txt",
                "notes for the registrar.txt", "notes for the registrar.txt.reason.txt",
            ])
        let reason = try String(contentsOf: root.appendingPathComponent("quarantine/\(Self.runID)/aspire-702-Q2.categories.csv.reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("malformed-file (line 3): termStartDate '11/03/2025' is not a date"))
        let archived = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("archive/2025-10-01/\(Self.runID)").path).sorted()
        #expect(
            archived == [
                "algebra-1.canvas.json", "algebra-1.gradebook.csv", "aspire-702-Q1-science.categories.xml", "aspire-702-Q1.categories.csv",
                "biology.canvas.json", "biology.gradebook.csv", "geometry.canvas.json", "geometry.gradebook.csv",
            ])

        // Outputs carry student records: owner only.
        for path in ["reports/\(Self.runID).csv", "outbox/\(expectedNames[0])", "state/ledger.sqlite"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o077 == 0, "\(path) is readable by others")
        }

        // The ledger answers for course, section and student.
        let status = try CommandRunner.run(["status", "--root", root.path])
        #expect(status.status == 0)
        try compare(Data(status.stdout.utf8), golden: "samples-status.txt")
        let byStudent = try CommandRunner.run(["status", "--root", root.path, "--search", "604874", "--json"])
        #expect(byStudent.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(byStudent.stdout.utf8)) as? [String: Any]
        let sections = (document?["requests"] as? [[String: Any]])?.compactMap { $0["section_sis_id"] as? String }.sorted()
        #expect(sections == ["MST0000007Xy12", "MST0000008Zz34"])

        // Nothing new: a second run has nothing to do and exits 0.
        let again = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to do"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path).count == 3)
    }
}
