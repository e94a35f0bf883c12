import Foundation

/// Where tests make their files: one folder per test process under the system's temporary
/// folder, removed when the process exits, so a run of the suite leaves nothing in `/tmp` even
/// where a test stops early or a killed child left files behind.
enum TestScratch {
    static let root: URL = {
        atexit { try? FileManager.default.removeItem(atPath: TestScratch.path(for: getpid())) }
        return URL(fileURLWithPath: path(for: getpid()), isDirectory: true)
    }()

    static func path(for process: Int32) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("passback-tests-\(process)").path
    }
}
