import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct WatchCommandTests {
    @Test func sigtermStopsTheWatchCleanly() throws {
        let root = try CommandRunner.temporaryFolder("watch").appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try CommandRunner.initWorkspace(root)
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["watch", "--root", root.path, "--daily-at", "03:17"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        // Wait until it says when the next run is, then ask it to stop.
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("next run"), Date() < deadline {
            text += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(text.contains("next run"))
        kill(process.processIdentifier, SIGTERM)
        text += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(text.contains("stopped by signal"))
    }

    @Test func aBadTimeExits2() throws {
        let result = try CommandRunner.run(["watch", "--root", "/tmp/nowhere-\(UUID().uuidString)", "--daily-at", "25:00"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("HH:MM"))
    }
}
