import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

    /// What the project writes (XML, reports, the ledger, reasons, its folders) is private
    /// whatever the umask. What a registrar dropped keeps the mode they gave it (spec section 1,
    /// v2: the project never changes the mode of a file it did not create), and is private
    /// because every folder it sits in after the inbox is closed to others.
    @Test func outputsArePrivateWhateverTheUmask() throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let manager = FileManager.default
        var dropped: [String: Int] = [:]
        for name in try manager.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path) {
            let path = root.appendingPathComponent("inbox").appendingPathComponent(name).path
            #expect(chmod(path, 0o644) == 0)
            dropped[name] = 0o644
        }
        // A permissive umask in the calling shell must not leak into the outputs.
        let result = try CommandRunner.runShell("umask 000; exec \"$0\" run --root \"$1\" --now 2025-10-01T09:00:00Z", arguments: [CommandRunner.binary.path, root.path])
        #expect(result.status == 1)
        var inputsSeen = 0
        for folder in ["outbox", "reports", "state", "archive", "quarantine"] {
            let top = root.appendingPathComponent(folder).path
            let topMode = (try manager.attributesOfItem(atPath: top)[.posixPermissions] as? Int) ?? 0o777
            #expect(topMode & 0o077 == 0, "\(folder) is \(String(topMode, radix: 8))")
            guard let walker = manager.enumerator(atPath: top) else { continue }
            while let path = walker.nextObject() as? String {
                let full = top + "/" + path
                let attributes = try manager.attributesOfItem(atPath: full)
                let mode = (attributes[.posixPermissions] as? Int) ?? 0o777
                let name = (path as NSString).lastPathComponent
                if attributes[.type] as? FileAttributeType != .typeDirectory, let given = dropped[name], folder == "archive" || folder == "quarantine" {
                    #expect(mode == given, "\(folder)/\(path): a dropped file's mode was changed to \(String(mode, radix: 8))")
                    inputsSeen += 1
                } else {
                    #expect(mode & 0o077 == 0, "\(folder)/\(path) is \(String(mode, radix: 8))")
                }
            }
        }
        #expect(inputsSeen == dropped.count, "every dropped file was archived or quarantined")
    }
}
