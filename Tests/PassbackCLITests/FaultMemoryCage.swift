import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A memory limit the kernel enforces on one `passback` process, for the fault-injection test's
/// bundle that is too big for the server (issue 12): the process must be killed by the limit
/// itself, never by a signal the test sends.
///
/// In order of preference: a cgroup v2 child of the test process's own cgroup with `memory.max`;
/// a cgroup v1 child with `memory.limit_in_bytes` (this project's machine: a hybrid hierarchy
/// whose unified part has no memory controller, so v2 cannot limit memory here); else
/// `RLIMIT_AS` (`prlimit --as`, `ulimit -v`), which limits address space rather than memory and
/// ends the process with a failed allocation. Making a cgroup needs root (or a delegated
/// subtree); where none of them can be set up, ``make(limitBytes:addressSpaceBytes:in:)`` says why.
///
/// Every run goes through a small Python launcher (`python3`, which `gen_inbox.py` needs anyway)
/// that puts the child into the cgroup (or sets its `RLIMIT_AS`) before `exec`, and reports its
/// peak resident memory (`wait4`'s `ru_maxrss`) and peak address space (`VmPeak`, sampled).
struct FaultMemoryCage {
    enum Kind: CustomStringConvertible {
        case cgroupV2(folder: String)
        case cgroupV1(folder: String)
        case addressSpace(bytes: Int64)
        /// No limit: for measuring a run.
        case none

        var description: String {
            switch self {
            case .cgroupV2(let folder): "cgroup v2 memory.max (\(folder))"
            case .cgroupV1(let folder): "cgroup v1 memory.limit_in_bytes (\(folder))"
            case .addressSpace(let bytes): "RLIMIT_AS of \(bytes >> 20) MiB (prlimit --as)"
            case .none: "no limit"
            }
        }
    }

    let kind: Kind
    let limitBytes: Int64
    /// The launcher script (in the test's temporary folder).
    let launcher: URL

    struct Outcome {
        var result: CommandRunner.Result
        /// Peak resident set of the child, bytes (`ru_maxrss`).
        var peakResidentBytes: Int64
        /// Peak address space of the child, bytes (`VmPeak`, sampled every 20 ms).
        var peakAddressSpaceBytes: Int64
        /// The cgroup's own count of processes its limit killed went up during this run (cgroup
        /// kinds), or the child died of a failed allocation (address space).
        var killedByTheLimit: Bool
        var evidence: String
    }

    /// Writes the launcher into `folder`.
    static func launcher(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("memory-launcher.py")
        try Data(launcherSource.utf8).write(to: url)
        return url
    }

    /// A run with no limit, measured (peak RSS and address space), to size the limit by.
    static func measuring(in folder: URL) throws -> FaultMemoryCage {
        FaultMemoryCage(kind: .none, limitBytes: 0, launcher: try launcher(in: folder))
    }

    /// The best limit this machine lets the test set, or why none.
    static func make(limitBytes: Int64, addressSpaceBytes: Int64, in folder: URL) -> Result<FaultMemoryCage, Unavailable> {
        let launcher: URL
        do { launcher = try Self.launcher(in: folder) } catch { return .failure(Unavailable(why: ["the launcher: \(error)"])) }
        var why: [String] = []
        let mounts = Self.mounts()
        let own = Self.ownCgroups()
        let name = "passback-fault-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        // cgroup v2: the own cgroup must offer the memory controller to its children.
        if let mount = mounts.first(where: { $0.type == "cgroup2" })?.point, let path = own[""] {
            let parent = mount + path
            let controllers = (try? String(contentsOfFile: parent + "/cgroup.controllers", encoding: .utf8)) ?? ""
            if !controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "memory" }) {
                why.append("cgroup v2 at \(parent) has no memory controller (cgroup.controllers: \(controllers.trimmingCharacters(in: .whitespacesAndNewlines)))")
            } else {
                let subtree = (try? String(contentsOfFile: parent + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
                let enabled = subtree.contains("memory") || write("+memory", to: parent + "/cgroup.subtree_control")
                let folder = parent + "/" + name
                if !enabled {
                    why.append(
                        "cgroup v2 at \(parent) does not give its children the memory controller, and enabling it failed (errno \(errno): a cgroup with processes in it cannot)")
                } else if mkdir(folder, 0o755) != 0 {
                    why.append("cannot make \(folder) (errno \(errno))")
                } else if write(String(limitBytes), to: folder + "/memory.max") {
                    _ = write("0", to: folder + "/memory.swap.max")
                    return .success(FaultMemoryCage(kind: .cgroupV2(folder: folder), limitBytes: limitBytes, launcher: launcher))
                } else {
                    why.append("cannot write \(folder)/memory.max")
                    _ = rmdir(folder)
                }
            }
        } else {
            why.append("no cgroup v2 hierarchy for this process")
        }

        // cgroup v1: a child of the own memory cgroup.
        if let mount = mounts.first(where: { $0.type == "cgroup" && $0.options.contains("memory") })?.point, let path = own["memory"] {
            let folder = mount + (path == "/" ? "" : path) + "/" + name
            if mkdir(folder, 0o755) != 0 {
                why.append("cannot make the cgroup v1 folder \(folder) (errno \(errno))")
            } else if write(String(limitBytes), to: folder + "/memory.limit_in_bytes") {
                // No swap either, where swap is accounted.
                _ = write(String(limitBytes), to: folder + "/memory.memsw.limit_in_bytes")
                return .success(FaultMemoryCage(kind: .cgroupV1(folder: folder), limitBytes: limitBytes, launcher: launcher))
            } else {
                why.append("cannot write \(folder)/memory.limit_in_bytes")
                _ = rmdir(folder)
            }
        } else {
            why.append("no cgroup v1 memory hierarchy for this process")
        }

        // RLIMIT_AS works wherever setrlimit does.
        if addressSpaceBytes > 0 {
            return .success(FaultMemoryCage(kind: .addressSpace(bytes: addressSpaceBytes), limitBytes: addressSpaceBytes, launcher: launcher))
        }
        return .failure(Unavailable(why: why))
    }

    struct Unavailable: Error, CustomStringConvertible {
        var why: [String]
        var description: String { why.joined(separator: "; ") }
    }

    /// Runs `passback ARGUMENTS` inside the limit.
    func run(_ arguments: [String], environment: [String: String] = [:], scratch: URL) throws -> Outcome {
        let before = oomKills()
        let report = scratch.appendingPathComponent("memory-launcher-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: report) }
        var procs = ""
        var addressSpace: Int64 = 0
        switch kind {
        case .cgroupV1(let folder), .cgroupV2(let folder): procs = folder + "/cgroup.procs"
        case .addressSpace(let bytes): addressSpace = bytes
        case .none: break
        }
        // The launcher's own status and signal say nothing: it reports the child's in `report`.
        let launched = try CommandRunner.execute(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", launcher.path, procs, String(addressSpace), report.path, "--", CommandRunner.binary.path] + arguments,
            environment: environment
        )
        let fields = Dictionary(
            ((try? String(contentsOf: report, encoding: .utf8)) ?? "").split(separator: " ").compactMap { pair -> (String, Int64)? in
                let parts = pair.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "=")
                guard parts.count == 2, let value = Int64(parts[1]) else { return nil }
                return (String(parts[0]), value)
            }, uniquingKeysWith: { $1 })
        let signal = fields["signal"].flatMap { $0 > 0 ? Int32($0) : nil }
        let stderr = launched.stderr
        var outcome = Outcome(
            result: CommandRunner.Result(status: Int32(fields["status"] ?? -1), stdout: launched.stdout, stderr: stderr, signal: signal),
            peakResidentBytes: (fields["maxrss_kb"] ?? 0) * 1024, peakAddressSpaceBytes: (fields["vmpeak_kb"] ?? 0) * 1024,
            killedByTheLimit: false, evidence: ""
        )
        switch kind {
        case .cgroupV1, .cgroupV2:
            let after = oomKills()
            outcome.killedByTheLimit = signal == SIGKILL && after > before
            outcome.evidence = "signal \(signal.map(String.init) ?? "none"), the cgroup's oom_kill count \(before) -> \(after)"
        case .addressSpace:
            // A failed allocation ends a Swift process with a trap (SIGILL, SIGTRAP) or an abort.
            let allocationFailed = stderr.contains("allocate") || stderr.contains("Cannot allocate memory")
            outcome.killedByTheLimit = signal != nil && signal != SIGKILL && signal != SIGTERM && allocationFailed
            outcome.evidence = "signal \(signal.map(String.init) ?? "none"), allocation failure in the log: \(allocationFailed)"
        case .none:
            outcome.evidence = "no limit"
        }
        return outcome
    }

    /// How many processes the cgroup's limit has killed so far.
    func oomKills() -> Int {
        let file: String
        switch kind {
        case .cgroupV1(let folder): file = folder + "/memory.oom_control"
        case .cgroupV2(let folder): file = folder + "/memory.events"
        default: return 0
        }
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.split(separator: " ")[1]) ?? 0
        }
        return 0
    }

    /// Removes the cgroup (once its processes are gone; the kernel takes a moment after a kill).
    func remove() {
        switch kind {
        case .cgroupV1(let folder), .cgroupV2(let folder):
            for _ in 0..<50 {
                if rmdir(folder) == 0 || errno == ENOENT { return }
                usleep(100_000)
            }
        default:
            return
        }
    }

    // MARK: The machine's cgroups

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// Mount points of cgroup file systems (`/proc/self/mountinfo`).
    private static func mounts() -> [(point: String, type: String, options: [String])] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { return nil }
            let left = halves[0].split(separator: " ")
            let right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3, right[0].hasPrefix("cgroup") else { return nil }
            return (String(left[4]), String(right[0]), right[2].split(separator: ",").map(String.init))
        }
    }

    /// This process's cgroup per hierarchy (`/proc/self/cgroup`): `""` for v2, else each
    /// controller's name.
    private static func ownCgroups() -> [String: String] {
        let text = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            for controller in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                out[String(controller)] = String(parts[2])
            }
        }
        return out
    }

    /// `launcher.py PROCS AS_BYTES REPORT -- COMMAND...`: the child joins the cgroup whose
    /// `cgroup.procs` is PROCS (when not empty) and gets `RLIMIT_AS` = AS_BYTES (when not 0),
    /// then execs COMMAND; the launcher samples its `VmPeak`, reaps it with `wait4` and writes
    /// `status=N signal=N maxrss_kb=N vmpeak_kb=N` to REPORT.
    static let launcherSource = """
        import os, resource, sys, time
        procs, address_space, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        command = sys.argv[5:]
        pid = os.fork()
        if pid == 0:
            try:
                if procs:
                    with open(procs, "w") as f:
                        f.write(str(os.getpid()))
                if address_space:
                    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
                os.execv(command[0], command)
            finally:
                os._exit(127)
        peak = 0
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmPeak:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.02)
        signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + signal
        with open(report, "w") as f:
            f.write(f"status={code} signal={signal} maxrss_kb={usage.ru_maxrss} vmpeak_kb={peak}")

        """
}
