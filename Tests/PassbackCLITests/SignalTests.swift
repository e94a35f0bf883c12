import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT (issue 12, item 4): the run records the commit group in flight, stops, and
/// exits 3 saying so; the next run finishes it to what an uninterrupted run does. A second signal
/// stops the process at once, and the next run recovers as after a kill.
@Suite(.serialized) struct SignalTests {
    static let clock = "2025-10-01T09:00:00Z"
    /// More bundles than one commit group (128), so a signal after the first leaves work.
    static let district = DistrictInbox(courses: 140, students: 4, assignments: 3)

    func expectSameGradesAsAnUninterruptedRun(_ root: URL, base: URL) throws {
        let calm = base.appendingPathComponent("calm")
        _ = try Self.district.write(to: calm)
        #expect(try CommandRunner.run(["run", "--root", calm.path, "--now", Self.clock]).status == 0)
        let interrupted = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        let uninterrupted = try Ledger(path: calm.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        for section in Self.district.sections {
            let a = try interrupted.history(ofSection: section).results.mapValues(\.sent)
            #expect(a == (try uninterrupted.history(ofSection: section).results.mapValues(\.sent)), "section \(section)")
            #expect(!a.isEmpty)
        }
    }

    @Test func sigtermRecordsTheGroupInFlightStopsWithExit3AndTheNextRunFinishes() throws {
        let base = try CommandRunner.temporaryFolder("signal")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let inputs = try Self.district.write(to: root)

        // SIGTERM arrives as the first commit group is recorded.
        let stopped = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock], environment: ["PASSBACK_CRASH_AT": "after-ledger-commit:1:TERM"])
        #expect(stopped.signal == nil, "the first signal does not kill")
        #expect(stopped.status == 3, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped part-way: stopped by SIGTERM after recording "), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("the next run finishes it"))
        try Invariants.check(root: root, inputs: inputs, finished: false)
        let ledger = try Ledger(path: root.appendingPathComponent("state/ledger.sqlite").path, readOnly: true)
        let recorded = try ledger.processedBundles(runID: "20251001T090000Z-01").keys.filter { !$0.hasSuffix(".categories.csv") }.count
        #expect(recorded > 0 && recorded < 140, "the group in flight was recorded, and no more: \(recorded)")
        #expect(stopped.stderr.contains("after recording \(recorded) of 140 bundle(s)"))

        let next = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("finished interrupted run 20251001T090000Z-01"))
        try Invariants.check(root: root, inputs: inputs, finished: true)
        try expectSameGradesAsAnUninterruptedRun(root, base: base)
    }

    @Test func aSecondSignalStopsAtOnceAndTheNextRunRecovers() throws {
        let base = try CommandRunner.temporaryFolder("signal-twice")
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        let inputs = try Self.district.write(to: root)

        // The run sends itself SIGTERM right after claiming; the test sends the second.
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["run", "--root", root.path, "--now", Self.clock, "--log-level", "debug"]
        var environment = ProcessInfo.processInfo.environment
        environment["PASSBACK_CRASH_AT"] = "after-claim:1:TERM"
        environment["PASSBACK_WORKERS"] = "1"
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        usleep(300_000)
        kill(process.processIdentifier, SIGTERM)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            #expect(process.terminationStatus == SIGTERM)
        } else {
            // The first signal's stop came before the second could arrive.
            #expect(process.terminationStatus == 3)
        }
        try Invariants.check(root: root, inputs: inputs, finished: false)

        let next = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(next.status == 0, "\(next.stderr)")
        try Invariants.check(root: root, inputs: inputs, finished: true)
        try expectSameGradesAsAnUninterruptedRun(root, base: base)
    }
}
