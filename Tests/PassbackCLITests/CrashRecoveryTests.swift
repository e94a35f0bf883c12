import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Kills the binary at every named crash point (and at random moments) and checks that the next
/// run finishes the work: every input accounted for, no partial file in `outbox/`, the ledger
/// agreeing with the XML that carried each grade, no result sent under two values in one run, an
/// intact database. Crash points are armed by `PASSBACK_CRASH_AT` in debug builds.
@Suite(.serialized) struct CrashRecoveryTests {
    static let clock = "2025-10-01T09:00:00Z"

    /// The names of the files dropped into the samples' inbox.
    static var sampleInputs: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox").path).sorted()) ?? []
    }

    @Test(arguments: CrashPoint.allCases)
    func aKillAtEveryPointIsFinishedByTheNextRun(_ point: CrashPoint) throws {
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let killed = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: ["PASSBACK_CRASH_AT": point.rawValue])
        #expect(killed.signal == SIGKILL, "\(point.rawValue) was not reached: exit \(killed.status) \(killed.stderr)")
        try Invariants.check(root: root, inputs: Self.sampleInputs, finished: false)

        let next = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(next.status == 1, "\(next.stderr)")
        try Invariants.check(root: root, inputs: Self.sampleInputs, finished: true)

        // The finished run is the run that would have happened without the crash, byte for byte.
        let golden = CommandRunner.repositoryRoot.appendingPathComponent("Tests/PassbackCLITests/Golden")
        let report = try Data(contentsOf: root.appendingPathComponent("reports/20251001T090000Z-01.csv"))
        #expect(report == (try Data(contentsOf: golden.appendingPathComponent("samples-report.csv"))), "the report after a crash at \(point.rawValue) differs")
        let outbox = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path).sorted()
        let expected = try FileManager.default.contentsOfDirectory(atPath: golden.appendingPathComponent("samples-outbox").path).sorted()
        #expect(outbox == expected)
        for name in outbox {
            #expect(
                try Data(contentsOf: root.appendingPathComponent("outbox/\(name)")) == Data(contentsOf: golden.appendingPathComponent("samples-outbox/\(name)")),
                "\(name) after a crash at \(point.rawValue)")
        }
    }

    @Test func randomKillsOnALargerInboxEndAsAnUninterruptedRun() throws {
        let base = try CommandRunner.temporaryFolder("chaos")
        defer { try? FileManager.default.removeItem(at: base) }
        let chaos = base.appendingPathComponent("chaos")
        let calm = base.appendingPathComponent("calm")
        let inputs = try DistrictInbox(courses: 48, students: 30, assignments: 8).write(to: chaos)
        _ = try DistrictInbox(courses: 48, students: 30, assignments: 8).write(to: calm)

        let started = Date()
        let reference = try CommandRunner.run(["run", "--root", calm.path, "--now", Self.clock])
        #expect(reference.status == 0, "\(reference.stderr)")
        // Kill moments within an uninterrupted run's duration (however fast the build is), so
        // that runs are interrupted everywhere from the first claim to the last record; the
        // inbox is large enough that a run lasts well past start-up.
        let duration = max(0.02, Date().timeIntervalSince(started))

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var finished: [CommandRunner.Result] = []
        for _ in 0..<12 {
            let outcome = try CommandRunner.run(
                ["run", "--root", chaos.path, "--now", Self.clock], killAfter: Double.random(in: 0.005...max(0.01, duration * 0.9), using: &generator))
            if outcome.signal == SIGKILL { kills += 1 } else { finished.append(outcome) }
            try Invariants.check(root: chaos, inputs: inputs, finished: false)
        }
        let last = try CommandRunner.run(["run", "--root", chaos.path, "--now", Self.clock])
        try Invariants.check(root: chaos, inputs: inputs, finished: true)
        #expect(kills > 0, "no run was killed: the inbox is too small to interrupt")
        // A bundle in flight at two of the kills is set aside as `stopped-twice`: to the process a
        // kill from outside looks like a bundle that kills every run (the poison-pill rule). Its
        // files wait in quarantine; dropped again as the reason says, they are sent.
        let setAside = try Self.stoppedTwice(in: chaos)
        for outcome in finished + [last] {
            // Exit 1 only for the report row of a bundle set aside.
            #expect(outcome.status == 0 || (outcome.status == 1 && !setAside.isEmpty), "\(outcome.stderr)")
        }
        if !setAside.isEmpty {
            for file in setAside {
                let dropped = chaos.appendingPathComponent("inbox/\(file.lastPathComponent)")
                try FileManager.default.moveItem(at: file, to: dropped)
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_759_222_800)], ofItemAtPath: dropped.path)
            }
            let again = try CommandRunner.run(["run", "--root", chaos.path, "--now", Self.clock])
            #expect(again.status == 0, "\(again.stderr)")
            try Invariants.check(root: chaos, inputs: inputs, finished: true)
        }

        // Every section ends with exactly the grades an uninterrupted run sent.
        let interrupted = try Ledger(path: chaos.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        let uninterrupted = try Ledger(path: calm.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        for section in DistrictInbox(courses: 48, students: 30, assignments: 8).sections {
            let a = try interrupted.history(ofSection: section).results.mapValues(\.sent)
            let b = try uninterrupted.history(ofSection: section).results.mapValues(\.sent)
            #expect(a == b, "section \(section) differs after \(kills) kills")
            #expect(!b.isEmpty)
        }
    }
}

extension CrashRecoveryTests {
    /// The files of bundles set aside as `stopped-twice` in `root`'s quarantine.
    static func stoppedTwice(in root: URL) throws -> [URL] {
        let quarantine = root.appendingPathComponent("quarantine")
        var files: [URL] = []
        for run in (try? FileManager.default.contentsOfDirectory(atPath: quarantine.path)) ?? [] {
            let folder = quarantine.appendingPathComponent(run)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".reason.txt") {
                let reason = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                guard reason.hasPrefix("stopped-twice: ") else { continue }
                // The course's two files (the partner is held with the file the reason names).
                let file = String(name.dropLast(".reason.txt".count))
                for suffix in [".gradebook.csv", ".canvas.json"] where file.hasSuffix(suffix) {
                    let stem = String(file.dropLast(suffix.count))
                    for partner in [stem + ".gradebook.csv", stem + ".canvas.json"] where !files.contains(folder.appendingPathComponent(partner)) {
                        files.append(folder.appendingPathComponent(partner))
                    }
                }
            }
        }
        return files
    }
}

/// What must hold in a workspace whatever happened to the runs in it.
enum Invariants {
    static func check(root: URL, inputs: [String], finished: Bool) throws {
        let manager = FileManager.default
        // 1. No input lost: each is in exactly one of inbox, work, archive, quarantine.
        var found: [String: Int] = [:]
        for folder in ["inbox", "work", "archive", "quarantine"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = manager.enumerator(atPath: base.path) else { continue }
            while let path = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
                let name = (path as NSString).lastPathComponent
                if isDirectory.boolValue || name.hasSuffix(".reason.txt") || path.contains("/.out/") || path.hasPrefix(".out") || name.hasSuffix(".tmp") { continue }
                found[name, default: 0] += 1
            }
        }
        for input in inputs {
            #expect(found[input] == 1, "\(input) is in \(found[input] ?? 0) places")
        }
        if finished {
            #expect((try? manager.contentsOfDirectory(atPath: root.appendingPathComponent("work").path))?.isEmpty ?? true, "work/ is not empty after a finished run")
        }

        // 2. No partial file in outbox/: only complete, schema-valid XML.
        let outbox = root.appendingPathComponent("outbox")
        var perRun: [String: [String: String]] = [:]  // run → result id → value
        var lastSent: [String: String] = [:]  // result id → value, in run order
        // (A run killed during start-up has not made the workspace's folders yet.)
        for name in ((try? manager.contentsOfDirectory(atPath: outbox.path)) ?? []).sorted() {
            #expect(name.hasSuffix(".xml"), "\(name) in outbox/")
            let path = outbox.appendingPathComponent(name).path
            #expect(SchemaValidator.passback.validate(fileAt: path).isEmpty, "\(name) is not valid")
            let run = String(name.prefix(while: { $0 != "_" }))
            for (id, value) in try results(inFile: path) {
                if let earlier = perRun[run]?[id] {
                    #expect(earlier == value, "\(id) sent as \(earlier) and \(value) in run \(run)")
                }
                perRun[run, default: [:]][id] = value
                lastSent[id] = value
            }
        }

        // 3. The ledger says sent exactly what the XML carried last; 4. the database is intact.
        let ledgerPath = root.appendingPathComponent("state/ledger.sqlite").path
        guard manager.fileExists(atPath: ledgerPath) else { return }
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        #expect(try ledger.integrityCheck() == "ok")
        var recorded: [String: String] = [:]
        for section in try sectionsInLedger(ledgerPath) {
            for (id, state) in try ledger.history(ofSection: section).results where state.sentAt != nil {
                recorded[id] = state.sent?.ledgerText ?? "deleted"
            }
        }
        for (id, value) in recorded {
            #expect(lastSent[id] == value, "the ledger says \(id) = \(value), the outbox says \(lastSent[id] ?? "nothing")")
        }
        if finished {
            for (id, value) in lastSent {
                #expect(recorded[id] == value, "\(id) = \(value) was published but the ledger says \(recorded[id] ?? "nothing")")
            }
        }
    }

    /// `result id → value` (`9.5`, `EX`, `deleted`) of our own indented XML.
    static func results(inFile path: String) throws -> [(String, String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [(String, String)] = []
        var id = ""
        var value = ""
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("<Result ") {
                id = line.components(separatedBy: "sourcedId=\"")[1].components(separatedBy: "\"")[0]
                value = line.contains("tobedeleted") ? "deleted" : ""
            } else if line == "<ScoreStatus>exempt</ScoreStatus>" {
                value = "EX"
            } else if line.hasPrefix("<Score>") {
                value = line.replacingOccurrences(of: "<Score>", with: "").replacingOccurrences(of: "</Score>", with: "")
            } else if line == "</Result>" {
                out.append((id, value))
            }
        }
        return out
    }

    static func sectionsInLedger(_ path: String) throws -> [String] {
        let ledger = try Ledger(path: path, readOnly: true)
        // A run killed while it created the ledger leaves it without tables (the migration is
        // one transaction): nothing is recorded.
        guard let requests = try? ledger.syncRequests(SyncRequestQuery()).requests else { return [] }
        return requests.map(\.sectionSISID)
    }
}

/// A synthetic district inbox written by the tests themselves (distinct courses, one section
/// each, every cell a grade), in the formats of the spec.
struct DistrictInbox {
    var courses: Int
    var students: Int
    var assignments: Int

    var sections: [String] { (0..<courses).map { "SEC-\(7000 + $0)" } }

    /// Writes `root/inbox/...` and `root/passback.toml`; returns the input file names.
    func write(to root: URL) throws -> [String] {
        let inbox = root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        var names: [String] = []
        var categories = "categorySourcedId,title,classSourcedId,termSourcedId,termCode,termStartDate,termEndDate,schoolId,verifiedAt\n"
        for c in 0..<courses {
            let id = 7000 + c
            categories += "HW-\(id),Homework,SEC-\(id),T1,Q1,2025-08-20,2025-12-31,702,2025-08-25T00:00:00Z\n"
            var header = "Student,ID,SIS User ID,SIS Login ID,Section"
            var points = "    Points Possible,,,,"
            var assignmentsJSON: [String] = []
            for a in 0..<assignments {
                header += ",Homework \(a + 1) (\(id * 100 + a))"
                points += ",10.00"
                assignmentsJSON.append(
                    "{\"id\":\(id * 100 + a),\"name\":\"Homework \(a + 1)\",\"published\":true,\"post_to_sis\":true,\"due_at\":\"2025-09-12T05:59:59Z\",\"points_possible\":10}")
            }
            var gradebook = header + "\n" + points + "\n"
            for s in 0..<students {
                let user = id * 1000 + s
                gradebook += "\"Student, \(s)\",\(user),\(800_000 + user),u\(user),Period 1"
                for a in 0..<assignments {
                    gradebook += "," + ["9.00", "EX", "7.50", "10.00", "4.25"][(s + a + c) % 5]
                }
                gradebook += "\n"
            }
            let json =
                "{\"course\":{\"id\":\(id),\"sis_course_id\":\"CRS-\(id)\",\"workflow_state\":\"available\",\"term\":{\"sis_term_id\":\"T1\"}},\"sections\":[{\"id\":\(id),\"name\":\"Period 1\",\"sis_section_id\":\"SEC-\(id)\"}],\"assignment_groups\":[{\"id\":1,\"name\":\"Homework\",\"sis_source_id\":\"HW-\(id)\",\"assignments\":[\(assignmentsJSON.joined(separator: ","))]}]}"
            try Data(gradebook.utf8).write(to: inbox.appendingPathComponent("course-\(id).gradebook.csv"))
            try Data(json.utf8).write(to: inbox.appendingPathComponent("course-\(id).canvas.json"))
            names += ["course-\(id).gradebook.csv", "course-\(id).canvas.json"]
        }
        try Data(categories.utf8).write(to: inbox.appendingPathComponent("district.categories.csv"))
        return names + ["district.categories.csv"]
    }
}
