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
        // Wait until it says when the next run is, then ask it to stop.
        let (process, stderr, said) = try CommandRunner.startWatch(root: root)
        var text = said
        #expect(text.contains("next run"))
        kill(process.processIdentifier, SIGTERM)
        text += String(decoding: stderr.readDataToEndOfFile(), as: UTF8.self)
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
