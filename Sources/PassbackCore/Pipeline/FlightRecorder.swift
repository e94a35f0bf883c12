import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Which bundles were being prepared when a run's process died, so that one bundle that kills
/// every run (a gradebook too big for the memory, a reader that crashes) cannot stop a district's
/// nights: the run after a stop counts it against the bundles in flight, and a bundle two runs
/// stopped on is quarantined (``RunPlanner``, `stopped-twice`).
///
/// A line per event, appended to `work/<run id>/.in-flight` with one `write(2)` on an `O_APPEND`
/// descriptor: atomic between the workers, and kept by the kernel when the process is killed (no
/// `fsync`: a power cut is not a bundle's fault, and a bundle costs no disk flush). Lines:
/// `start <stem>`, `done <stem>`, `failed <stem>` (preparing threw: the run stops).
final class FlightRecorder: Sendable {
    static let fileName = ".in-flight"
    private let descriptor: Int32

    /// Opens (creating) the run's recorder; `nil` when the file cannot be opened (then nothing is
    /// recorded, and a poison bundle is found one stop later at worst).
    init?(runFolder: String) {
        let fd = open(runFolder + "/" + Self.fileName, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    func started(_ stem: String) { append("start", stem) }
    func finished(_ stem: String) { append("done", stem) }
    func failed(_ stem: String) { append("failed", stem) }

    private func append(_ event: String, _ stem: String) {
        let line = Array("\(event) \(stem.replacingOccurrences(of: "\n", with: " "))\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The bundles the run stopped on, from the recorder a stopped run left: started and never
    /// done, or failed.
    static func suspects(runFolder: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: runFolder + "/" + fileName) else { return [] }
        var open: [String] = []
        var failed: [String] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let stem = String(line[line.index(after: space)...])
            switch line[..<space] {
            case "start": open.append(stem)
            case "done": open.removeAll { $0 == stem }
            case "failed":
                open.removeAll { $0 == stem }
                failed.append(stem)
            default: continue
            }
        }
        return Array(Set(open + failed)).sorted()
    }

    /// Forgets what a stopped run left (once counted).
    static func clear(runFolder: String) {
        unlink(runFolder + "/" + fileName)
    }
}
