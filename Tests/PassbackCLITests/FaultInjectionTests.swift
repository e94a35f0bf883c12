import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// The fault-injection test of issue 12: a 100-course district (`../shared/bench/gen_inbox.py`,
/// generated into the test's temporary folder) goes through three nights of the built `passback`
/// binary with every fault a district met, and ends with every grade that could be sent sent
/// exactly once.
///
/// - Night 1: a registrar swaps a course's gradebook for a link to a file outside the workspace
///   after the run listed the inbox (the run is frozen there with SIGSTOP, a debug crash point);
///   then the ledger's `-wal` and `-shm` are deleted (a backup that copied `ledger.sqlite` alone).
/// - Night 2: the gradebook dropped again, 40 courses changed; SIGTERM in the middle of the run
///   (exit 3), the next invocation finishes it; the `-wal` lost again.
/// - Night 3: a section's history row damaged; a 40 MB gradebook
///   (`gen_inbox.py --courses 1 --students 35000 --assignments 100`) under a memory limit the
///   kernel enforces (``FaultMemoryCage``) kills two runs, the third quarantines it
///   (`stopped-twice`) and sends the rest.
///
/// The check reads every published XML file and the ledger: each (section, line item, student)
/// result's value is in exactly one published file, the last value of each is what a fault-free
/// workspace given the same final inputs sends (nothing missing, nothing extra), the ledger
/// agrees, the poison and the damaged section's course are quarantined with their reasons, and
/// the link's target is untouched.
///
/// About 2 to 4 minutes in a debug build on the project's 2-core machine (generating the 40 MB
/// gradebook is 10 to 50 s of it).
@Suite(.serialized, .enabled(if: FaultDistrict.available, "needs python3 and ../shared/bench/gen_inbox.py beside the repository"))
struct FaultInjectionTests {
    static let nights = ["2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z", "2026-11-29T09:00:00Z"]
    /// The course whose gradebook is swapped for a link on night 1 (one section).
    static let linked = 10007
    /// Changed on night 2.
    static let changedOnNight2 = Array(10011...10050)
    /// Night 3: the course whose section history is damaged, and one more changed course.
    static let damaged = 10062
    static let damagedSection = "MST001006200ab"
    static let changedOnNight3 = 10063
    /// The 40 MB course (its two sections are its own).
    static let poison = 10000
    static let poisonSections = ["MST001000000ab", "MST001000001ab"]

    @Test func aDistrictThroughEveryFaultEndsWithEveryGradeSentExactlyOnce() throws {
        let started = Date()
        let base = try CommandRunner.temporaryFolder("faults")
        defer { try? FileManager.default.removeItem(at: base) }
        let district = try FaultDistrict.generate(in: base)
        let root = base.appendingPathComponent("ws")
        try FaultDistrict.makeWorkspace(root)
        var drops: [String: Int] = [:]  // input name -> times dropped
        func drop(_ names: [String], from folder: URL) throws {
            for name in names {
                try FaultDistrict.copy(folder.appendingPathComponent(name), to: root.appendingPathComponent("inbox/\(name)"))
                drops[name, default: 0] += 1
            }
        }
        let courses = Array(10001...10099)

        // Night 1: the district, and a link swapped in for a listed gradebook.
        try drop(district.categoryExports, from: district.original)
        try drop(courses.flatMap(FaultDistrict.files), from: district.original)
        let outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let target = outside.appendingPathComponent("registrar-private.csv")
        try Data("a registrar's own file, outside the workspace\n".utf8).write(to: target)
        #expect(chmod(target.path, 0o640) == 0)
        let targetBefore = FileSnapshot(target.path)
        // A reader (a monitoring query, `passback status`) has the ledger open during nights 1
        // and 2, so SQLite cannot fold the `-wal` into the ledger when a run closes it; it is
        // closed before the `-wal` is lost.
        let ledgerPath = root.appendingPathComponent("state/ledger.sqlite").path
        var reader: Ledger? = try Ledger(path: ledgerPath, readOnly: true)
        _ = try reader?.runIDs()
        let night1 = try runSwappingAfterListing(root: root, clock: Self.nights[0]) {
            let listed = root.appendingPathComponent("inbox/course-\(Self.linked).gradebook.csv").path
            #expect(unlink(listed) == 0)
            #expect(symlink(target.path, listed) == 0)
        }
        #expect(night1.status == 1, "\(night1.stderr)")
        let run1 = "20261127T090000Z-01"
        #expect(night1.stdout.hasPrefix("run \(run1): "), "\(night1.stdout)")
        #expect(FileSnapshot(target.path) == targetBefore, "the link's target changed")
        let quarantinedLink = root.appendingPathComponent("quarantine/\(run1)/course-\(Self.linked).gradebook.csv").path
        #expect(FileSnapshot.isLink(quarantinedLink), "the link itself is quarantined")
        #expect(try String(contentsOfFile: quarantinedLink + ".reason.txt", encoding: .utf8).contains("symbolic link"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("inbox/course-\(Self.linked).canvas.json").path), "its partner waits in the inbox")
        #expect(try reader?.runIDs() == [run1])
        reader = nil
        try loseTheWAL(root)
        let status = try CommandRunner.run(["status", "--root", root.path, "--runs"])
        #expect(status.stdout.contains(run1), "status after the lost WAL: \(status.stdout) \(status.stderr)")

        // Night 2: the gradebook again, 40 courses changed; SIGTERM part-way.
        reader = try Ledger(path: ledgerPath, readOnly: true)
        _ = try reader?.runIDs()
        try drop(["course-\(Self.linked).gradebook.csv"], from: district.original)
        try drop(Self.changedOnNight2.map { "course-\($0).gradebook.csv" }, from: district.changed)
        try drop(Self.changedOnNight2.map { "course-\($0).canvas.json" }, from: district.original)
        let stopped = try CommandRunner.run(["run", "--root", root.path, "--now", Self.nights[1]], environment: ["PASSBACK_CRASH_AT": "after-xml-written:20:TERM"])
        #expect(stopped.signal == nil && stopped.status == 3, "\(stopped.status) \(stopped.stderr)")
        let run2 = "20261128T090000Z-01"
        let recordedBeforeStop = stopped.stderr.components(separatedBy: "stopped by SIGTERM after recording ").dropFirst().first?.prefix { $0.isNumber }
        #expect(recordedBeforeStop.flatMap { Int($0) }.map { $0 > 0 && $0 < 41 } == true, "stopped part-way: \(stopped.stderr)")
        let finished2 = try CommandRunner.run(["run", "--root", root.path, "--now", "2026-11-28T10:00:00Z"])
        #expect(finished2.status == 1, "\(finished2.stderr)")
        #expect(finished2.stdout.contains("finished interrupted run \(run2)"), "\(finished2.stdout)")
        #expect(try reader?.runIDs() == [run1, run2])
        reader = nil
        try loseTheWAL(root)

        // Night 3: a damaged history row, a changed course, and the 40 MB course under a memory limit.
        let damage = try CommandRunner.runShell(
            "sqlite3 \"$0\" \"UPDATE section_history SET history = x'01ff' WHERE class_sourced_id = '$1'\"", arguments: [ledgerPath, Self.damagedSection])
        #expect(damage.status == 0, "\(damage.stderr)")
        try drop(["course-\(Self.damaged).gradebook.csv", "course-\(Self.changedOnNight3).gradebook.csv"], from: district.changed)
        try drop(["course-\(Self.damaged).canvas.json", "course-\(Self.changedOnNight3).canvas.json"], from: district.original)
        let cage = try memoryCage(base: base, sizedBy: night1Peak(district: district, base: base))
        defer { cage?.remove() }
        let run3 = "20261129T090000Z-01"
        var night3: CommandRunner.Result
        if let cage {
            try drop(FaultDistrict.files(Self.poison), from: district.poison)
            // One worker, so that the big course is the only one in flight when the limit kills.
            let limited = ["PASSBACK_WORKERS": "1"]
            for (attempt, clock) in ["2026-11-29T09:00:00Z", "2026-11-29T10:00:00Z"].enumerated() {
                let killed = try cage.run(["run", "--root", root.path, "--now", clock], environment: limited, scratch: base)
                #expect(
                    killed.killedByTheLimit,
                    "run \(attempt + 1) under \(cage.kind) was not killed by the limit: \(killed.evidence); exit \(killed.result.status); peak RSS \(killed.peakResidentBytes >> 20) MiB; \(killed.result.stderr.suffix(2000))"
                )
            }
            let third = try cage.run(["run", "--root", root.path, "--now", "2026-11-29T11:00:00Z"], environment: limited, scratch: base)
            night3 = third.result
            #expect(night3.stdout.contains("finished interrupted run \(run3)"), "\(night3.stdout) \(night3.stderr)")
        } else {
            night3 = try CommandRunner.run(["run", "--root", root.path, "--now", Self.nights[2]])
        }
        #expect(night3.status == 1, "\(night3.stderr)")

        // The end: every input accounted for, nothing left in the inbox or work/.
        try FaultDistrict.expectAccounted(root: root, drops: drops)
        // The damaged section's course set aside and the section named; the poison quarantined with its reason.
        let q3 = root.appendingPathComponent("quarantine/\(run3)")
        let damagedReason = try String(contentsOf: q3.appendingPathComponent("course-\(Self.damaged).gradebook.csv.reason.txt"), encoding: .utf8)
        #expect(damagedReason.hasPrefix("damaged-history: The ledger's record of what Aspire section \(Self.damagedSection) holds is damaged"), "\(damagedReason)")
        #expect(FileManager.default.fileExists(atPath: q3.appendingPathComponent("course-\(Self.damaged).canvas.json").path))
        if cage != nil {
            let poisonReason = try String(contentsOf: q3.appendingPathComponent("course-\(Self.poison).gradebook.csv.reason.txt"), encoding: .utf8)
            #expect(poisonReason.hasPrefix("stopped-twice: 2 runs stopped while preparing this course"), "\(poisonReason)")
            #expect(poisonReason.contains("for lack of memory"))
            #expect(FileManager.default.fileExists(atPath: q3.appendingPathComponent("course-\(Self.poison).canvas.json").path))
        }

        // The outbox: each result's value in exactly one published file.
        let published = try PublishedResults(outbox: root.appendingPathComponent("outbox"))
        #expect(published.files > 0)
        for (key, sends) in published.sends {
            var seen: [String: [String]] = [:]
            for send in sends { seen[send.value, default: []].append(send.file) }
            for (value, files) in seen where files.count != 1 {
                Issue.record("\(key.section) \(key.result) = \(value) was published in \(files.count) files: \(files)")
            }
        }
        for section in Self.poisonSections {
            #expect(!published.sections.contains(section), "the poison's section \(section) was sent")
        }
        #expect(
            !published.sends.keys.contains { $0.section == Self.damagedSection && published.sends[$0]!.contains { $0.file.hasPrefix(run3) } },
            "the damaged section was sent to on night 3")

        // Nothing the rules allow is missing, nothing extra: the last value of every result is what
        // a fault-free workspace given the district's final inputs sends in one run.
        let reference = base.appendingPathComponent("reference")
        try FaultDistrict.makeWorkspace(reference)
        var final: [URL] = district.categoryExports.map { district.original.appendingPathComponent($0) }
        for course in courses {
            let changed = Self.changedOnNight2.contains(course) || course == Self.changedOnNight3
            final.append((changed ? district.changed : district.original).appendingPathComponent("course-\(course).gradebook.csv"))
            final.append(district.original.appendingPathComponent("course-\(course).canvas.json"))
        }
        for file in final { try FaultDistrict.copy(file, to: reference.appendingPathComponent("inbox/\(file.lastPathComponent)")) }
        let calm = try CommandRunner.run(["run", "--root", reference.path, "--now", Self.nights[2]])
        #expect(calm.status == 1, "\(calm.stderr)")
        let expected = try PublishedResults(outbox: reference.appendingPathComponent("outbox")).last
        let actual = published.last
        #expect(expected.count > 50_000, "the reference sent \(expected.count) results")
        #expect(actual.count == expected.count, "\(actual.count) results sent, a fault-free run sends \(expected.count)")
        let missing = expected.filter { actual[$0.key] != $0.value }
        let extra = actual.filter { expected[$0.key] == nil }
        #expect(
            missing.isEmpty,
            "\(missing.count) results missing or with another value, e.g. \(missing.prefix(5).map { "\($0.key.section) \($0.key.result)=\($0.value) (sent: \(actual[$0.key] ?? "nothing"))" })"
        )
        #expect(extra.isEmpty, "\(extra.count) results not in a fault-free run, e.g. \(extra.prefix(5).map { "\($0.key.section) \($0.key.result)" })")

        // The ledger agrees with the outbox, section by section; the damaged section stays damaged
        // (a --bulk run records it anew) and is not compared.
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        #expect(try ledger.integrityCheck() == "ok")
        var recorded: [PublishedResults.Key: String] = [:]
        for section in published.sections where section != Self.damagedSection {
            for (id, state) in try ledger.history(ofSection: section).results where state.sentAt != nil {
                recorded[PublishedResults.Key(section: section, result: id)] = state.sent?.ledgerText ?? "deleted"
            }
        }
        #expect(throws: (any Error).self, "the damaged history still does not decode") { try ledger.history(ofSection: Self.damagedSection) }
        let comparable = actual.filter { $0.key.section != Self.damagedSection }
        #expect(recorded == comparable, "the ledger and the outbox differ on \(Set(recorded.keys).symmetricDifference(comparable.keys).count) results")
        // status shows every night's run (the lost WALs lost none).
        let runs = try CommandRunner.run(["status", "--root", root.path, "--runs"]).stdout
        for id in [run1, run2, run3] { #expect(runs.contains(id), "status --runs: \(runs)") }
        print(
            "FaultInjectionTests: \(actual.count) results in \(published.files) files; memory limit: \(cage.map { "\($0.kind), \($0.limitBytes >> 20) MiB" } ?? "none (see above)"); \(Int(Date().timeIntervalSince(started))) s"
        )
    }

    // MARK: Steps

    /// Deletes the ledger's `-wal` and `-shm` between runs, as a backup or restore of
    /// `ledger.sqlite` alone does.
    func loseTheWAL(_ root: URL) throws {
        for suffix in ["-wal", "-shm"] {
            let path = root.appendingPathComponent("state/ledger.sqlite\(suffix)").path
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
    }

    /// A run frozen (SIGSTOP, crash point `after-listing`) once it has listed the inbox, while
    /// `change` changes it, then let go (SIGCONT).
    func runSwappingAfterListing(root: URL, clock: String, change: () throws -> Void) throws -> CommandRunner.Result {
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["run", "--root", root.path, "--now", clock]
        var environment = ProcessInfo.processInfo.environment
        environment["PASSBACK_CRASH_AT"] = "after-listing:1:STOP"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let outData = LockedData()
        let errData = LockedData()
        let reading = DispatchGroup()
        for (handle, data) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
            DispatchQueue.global().async(group: reading) { data.set(handle.readDataToEndOfFile()) }
        }
        try process.run()
        let pid = process.processIdentifier
        var frozen = false
        for _ in 0..<1200 where !frozen {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            // The state follows the command name in parentheses: `T` is stopped.
            frozen = stat.components(separatedBy: ") ").dropFirst().first?.hasPrefix("T") == true
            if !frozen { usleep(50_000) }
        }
        #expect(frozen, "the run never stopped after listing the inbox")
        try change()
        kill(pid, SIGCONT)
        reading.wait()
        process.waitUntilExit()
        let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return CommandRunner.Result(
            status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self), signal: signal)
    }

    /// The peak memory of a district night without the big course (night 1's inputs in a scratch
    /// workspace, two workers), measured to set the limit just above it.
    func night1Peak(district: FaultDistrict, base: URL) throws -> (resident: Int64, addressSpace: Int64) {
        let scratch = base.appendingPathComponent("measure")
        try FaultDistrict.makeWorkspace(scratch)
        for name in district.categoryExports + (10001...10099).flatMap(FaultDistrict.files) {
            try FaultDistrict.copy(district.original.appendingPathComponent(name), to: scratch.appendingPathComponent("inbox/\(name)"))
        }
        let measured = try FaultMemoryCage.measuring(in: base).run(["run", "--root", scratch.path, "--now", Self.nights[0]], scratch: base)
        #expect(measured.result.status == 1, "\(measured.result.stderr)")
        try? FileManager.default.removeItem(at: scratch)
        return (measured.peakResidentBytes, measured.peakAddressSpaceBytes)
    }

    /// A limit half again above a district night's peak plus 32 MiB: every other course fits, the
    /// 40 MB gradebook does not (it needs about 225 MB).
    func memoryCage(base: URL, sizedBy peak: (resident: Int64, addressSpace: Int64)) throws -> FaultMemoryCage? {
        #expect(peak.resident > 0, "the district night was not measured")
        let limit = peak.resident * 3 / 2 + (32 << 20)
        switch FaultMemoryCage.make(limitBytes: limit, addressSpaceBytes: peak.addressSpace + (64 << 20), in: base) {
        case .success(let cage):
            return cage
        case .failure(let unavailable):
            print("FaultInjectionTests: SKIPPED the memory-limit fault (the other faults still run): no memory limit can be set here: \(unavailable)")
            return nil
        }
    }
}

/// Data filled by one thread and read by another.
final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// What a path is, to tell whether it was touched: type, mode, inode, bytes.
struct FileSnapshot: Equatable {
    var type: mode_t
    var mode: mode_t
    var inode: UInt
    var bytes: Data?

    init(_ path: String) {
        var info = stat()
        _ = lstat(path, &info)
        type = info.st_mode & S_IFMT
        mode = info.st_mode & 0o7777
        inode = UInt(info.st_ino)
        bytes = type == S_IFREG ? FileManager.default.contents(atPath: path) : nil
    }

    static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }
}

/// The district of the fault-injection test, made by the benchmark's generator.
struct FaultDistrict {
    /// `gen_inbox.py --courses 100`: courses 10000 to 10099 and four category exports.
    let original: URL
    /// Their gradebooks with one grade cell in seven changed.
    let changed: URL
    /// `gen_inbox.py --courses 1 --students 35000 --assignments 100`: course 10000 again, with a
    /// 40 MB gradebook (its sections and categories are the district's course 10000's).
    let poison: URL
    let categoryExports: [String]

    static var generator: URL {
        CommandRunner.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/gen_inbox.py")
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: generator.path)
            && ((try? CommandRunner.runShell("command -v python3", arguments: []))?.status == 0)
    }

    struct GeneratorFailed: Error, CustomStringConvertible {
        var description: String
    }

    static func files(_ course: Int) -> [String] { ["course-\(course).gradebook.csv", "course-\(course).canvas.json"] }

    static func generate(in base: URL) throws -> FaultDistrict {
        let original = base.appendingPathComponent("gen-district")
        let poison = base.appendingPathComponent("gen-poison")
        let changed = base.appendingPathComponent("gen-changed")
        for (folder, arguments) in [(original, ["--courses", "100"]), (poison, ["--courses", "1", "--students", "35000", "--assignments", "100"])] {
            let made = try CommandRunner.runShell("exec python3 \"$0\" \"$@\" >/dev/null", arguments: [generator.path, folder.path] + arguments)
            guard made.status == 0 else { throw GeneratorFailed(description: "gen_inbox.py \(arguments): \(made.stderr)") }
        }
        try FileManager.default.createDirectory(at: changed, withIntermediateDirectories: true)
        for course in 10000...10099 {
            let name = "course-\(course).gradebook.csv"
            let text = try String(contentsOf: original.appendingPathComponent(name), encoding: .utf8)
            try Data(changeGrades(text).utf8).write(to: changed.appendingPathComponent(name))
        }
        let exports = try FileManager.default.contentsOfDirectory(atPath: original.path).filter { $0.hasSuffix(".categories.csv") }.sorted()
        return FaultDistrict(original: original, changed: changed, poison: poison, categoryExports: exports)
    }

    /// The gradebook with one student grade cell in seven given another score (a point less,
    /// or a point more below 1), the Test Student and blank, `EX` and `N/A` cells left alone.
    static func changeGrades(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 2 else { return text }
        // Student, ID, SIS User ID, SIS Login ID, Section, the assignments, four totals.
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let assignments = header.count - 9
        for row in 2..<lines.count {
            var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // "Last, First" is quoted and holds one comma: one field more than the header.
            guard fields.count == header.count + 1, !fields[3].isEmpty else { continue }
            for column in 0..<assignments where (row + column) % 7 == 0 {
                let index = fields.count - 4 - assignments + column
                let parts = fields[index].split(separator: ".")
                guard parts.count == 2, let whole = Int(parts[0]), let cents = Int(parts[1]) else { continue }
                let value = whole * 100 + cents
                let changed = value >= 100 ? value - 100 : value + 100
                fields[index] = "\(changed / 100).\(changed % 100 < 10 ? "0" : "")\(changed % 100)"
            }
            lines[row] = fields.joined(separator: ",")
        }
        return lines.joined(separator: "\n")
    }

    /// `passback init` and `settle_seconds = 0`.
    static func makeWorkspace(_ root: URL) throws {
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
    }

    /// A registrar's drop: a new file (never a hard link, which passback refuses).
    static func copy(_ source: URL, to destination: URL) throws {
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        try FileManager.default.copyItem(at: source, to: destination)
    }

    /// Each dropped file is in `archive/` or `quarantine/` as many times as it was dropped, and
    /// `inbox/` and `work/` are empty.
    static func expectAccounted(root: URL, drops: [String: Int]) throws {
        var found: [String: Int] = [:]
        for folder in ["archive", "quarantine"] {
            guard let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else { continue }
            while let path = walker.nextObject() as? String {
                let name = (path as NSString).lastPathComponent
                var info = stat()
                guard lstat(root.appendingPathComponent(folder).path + "/" + path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR, !name.hasSuffix(".reason.txt") else { continue }
                found[name, default: 0] += 1
            }
        }
        for (name, count) in drops {
            #expect(found[name] == count, "\(name) was dropped \(count) time(s), and is in archive/ or quarantine/ \(found[name] ?? 0) time(s)")
        }
        for folder in ["inbox", "work"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            #expect(left.isEmpty, "\(folder)/ holds \(left)")
        }
    }
}

/// Every result in a workspace's `outbox/`: which file sent which value of each (section,
/// result) (result ids are `canvas-<line item>:<student>`), each file XSD-validated.
struct PublishedResults {
    struct Key: Hashable {
        var section: String
        var result: String
    }

    struct Send {
        var file: String
        var value: String
    }

    var sends: [Key: [Send]] = [:]
    var files = 0

    init(outbox: URL) throws {
        // `<run id>_<section>.xml`: in run order by name.
        for name in try FileManager.default.contentsOfDirectory(atPath: outbox.path).sorted() {
            #expect(name.hasSuffix(".xml"), "\(name) in outbox/")
            let path = outbox.appendingPathComponent(name).path
            #expect(SchemaValidator.passback.validate(fileAt: path).isEmpty, "\(name) is not valid")
            let section = String(name.dropLast(4).drop { $0 != "_" }.dropFirst())
            for (id, value) in try Invariants.results(inFile: path) {
                sends[Key(section: section, result: id), default: []].append(Send(file: name, value: value))
            }
            files += 1
        }
    }

    /// The value each result was last sent with.
    var last: [Key: String] { sends.mapValues { $0.last!.value } }

    var sections: Set<String> { Set(sends.keys.map(\.section)) }
}
