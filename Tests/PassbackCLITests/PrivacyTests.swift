import Foundation
import Testing

/// FERPA: logs carry counts, codes and file names, never a student's name or id; everything
/// holding student records is private to the service account whatever the umask.
@Suite struct PrivacyTests {
    @Test func noStudentNameOrIDReachesTheLogs() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        // Plant a sentinel student in a good course and in a broken one.
        let biology = root.appendingPathComponent("inbox/biology.gradebook.csv")
        var text = try String(contentsOf: biology, encoding: .utf8)
        text = text.replacingOccurrences(of: "García;José;21;604990", with: "Sentinelova;Zelda;21;SENTINEL-990011")
        try Data(text.utf8).write(to: biology)
        try Data("Student,ID,SIS User ID,SIS Login ID,Section\n\"Sentinelova, Zelda\",5,SENTINEL-990011,zelda,Period 1,EXTRA\n".utf8)
            .write(to: root.appendingPathComponent("inbox/broken.gradebook.csv"))
        try Data("{\"course\":{\"id\":77,\"workflow_state\":\"available\"},\"sections\":[],\"assignment_groups\":[]}".utf8)
            .write(to: root.appendingPathComponent("inbox/broken.canvas.json"))

        let result = try CommandRunner.run(["run", "--root", root.path, "--now", "2025-10-01T09:00:00Z", "--log-level", "debug"])
        #expect(result.status == 1)
        let logs = result.stdout + result.stderr
        #expect(logs.contains("run started"), "the logs were not captured")
        for sentinel in ["Sentinelova", "Zelda", "SENTINEL-990011", "604863", "Archer"] {
            #expect(!logs.contains(sentinel), "the logs name \(sentinel)")
        }
        // The XML for Aspire does carry the student's SIS id; neither it nor the report a name.
        let xml = try String(contentsOf: root.appendingPathComponent("outbox/20251001T090000Z-01_MST0000009Bb56.xml"), encoding: .utf8)
        #expect(xml.contains("<StudentSourcedId>SENTINEL-990011</StudentSourcedId>"))
        #expect(!xml.contains("Zelda"))
        let report = try String(contentsOf: root.appendingPathComponent("reports/20251001T090000Z-01.csv"), encoding: .utf8)
        #expect(!report.contains("Zelda"), "the report never carries names")
    }

    @Test func outputsArePrivateWhateverTheUmask() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        // A permissive umask in the calling shell must not leak into the outputs.
        let result = try CommandRunner.runShell("umask 000; exec \"$0\" run --root \"$1\" --now 2025-10-01T09:00:00Z", arguments: [CommandRunner.binary.path, root.path])
        #expect(result.status == 1)
        let manager = FileManager.default
        for folder in ["outbox", "reports", "state", "archive", "quarantine"] {
            guard let walker = manager.enumerator(atPath: root.appendingPathComponent(folder).path) else { continue }
            while let path = walker.nextObject() as? String {
                let full = root.appendingPathComponent(folder).appendingPathComponent(path).path
                let mode = (try manager.attributesOfItem(atPath: full)[.posixPermissions] as? Int) ?? 0o777
                #expect(mode & 0o077 == 0, "\(folder)/\(path) is \(String(mode, radix: 8))")
            }
        }
    }
}
