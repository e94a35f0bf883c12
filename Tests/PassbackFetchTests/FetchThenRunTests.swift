import FakeCanvas
import Foundation
import Testing

@testable import PassbackCore

/// From Canvas to Aspire: a course fetched from the fake Canvas goes through the real pipeline
/// (`RunPipeline`, the standard stages) to passback XML, read like any registrar's drop.
@Suite struct FetchThenRunTests {
    @Test func aFetchedCourseIsPassedBackToAspire() async throws {
        var options = FetchHarness.options(courses: 0)
        options.courses = [14: FakeCourse.englishI]
        let harness = try await FetchHarness(options)
        do {
            let summary = try await harness.fetch(FetchArguments(courses: ["14"]))
            #expect(summary.written == ["canvas-14"])
            // Aspire's categories for the course's section, dropped by a registrar.
            try Data(
                """
                categorySourcedId,title,classSourcedId,termSourcedId,termCode,termStartDate,termEndDate,schoolId,verifiedAt
                GCT0000014RD,Reading,MST0000014ENG1,2020-FALL,F,2020-08-10,2020-12-20,702,2020-08-01T00:00:00Z
                GCT0000014HW,Homework,MST0000014ENG1,2020-FALL,F,2020-08-10,2020-12-20,702,2020-08-01T00:00:00Z

                """.utf8
            ).write(to: harness.root.appendingPathComponent("inbox/eng.categories.csv"))

            let workspace = harness.workspace
            let settings = try Settings.load(root: harness.root)
            // The run is synchronous: it goes on a thread of its own, not one of the concurrency
            // pool's two, which the fake Canvas of the other tests answers on.
            let run = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RunSummary, any Error>) in
                Thread.detachNewThread {
                    let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard)
                    continuation.resume(with: Result { try pipeline.run(RunOptions(mode: .bulk, clock: ISOTimestamp.parse("2020-09-01T09:00:00Z")!, wallClock: Date())) })
                }
            }
            #expect(run.exitCode == 0, "\(run.line)")
            #expect(run.filesRejected == 0)
            #expect(run.xmlFiles == 1)

            let outbox = harness.root.appendingPathComponent("outbox")
            let names = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
            #expect(names.count == 1)
            let xml = try String(contentsOf: outbox.appendingPathComponent(names[0]), encoding: .utf8)
            #expect(xml.contains("classSourcedId=\"MST0000014ENG1\""))
            #expect(xml.contains("canvasCourseId=\"14\""))
            // The real course's grades, as Canvas holds them.
            let results = Self.results(xml)
            #expect(
                results == [
                    "canvas-3:604863 100", "canvas-3:604874 100", "canvas-3:604969 100", "canvas-3:604974 0",
                    "canvas-7:604863 80", "canvas-7:604874 90", "canvas-7:604969 0",
                ])
            // Both fetched files were claimed and archived, none quarantined.
            #expect(try harness.inbox().isEmpty)
            #expect(!harness.allFiles().contains { $0.hasPrefix("quarantine/") && $0.contains("canvas-14") })
        }
        await harness.finish()
    }

    @Test func theWatchFetchesTheTermAndSaysWhenARunMayClaimIt() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 2), settings: "settle_seconds = 7\n")
        do {
            try Data(
                """
                settle_seconds = 7
                [canvas]
                url = "\(harness.server.baseURL)"
                account = "1"
                term = "2026-S1"

                """.utf8
            ).write(to: harness.root.appendingPathComponent("passback.toml"))
            let settings = try Settings.load(root: harness.root)
            let scheduled = try #require(try ScheduledFetch(workspace: harness.workspace, settings: settings, environment: ["CANVAS_API_TOKEN": FetchHarness.token]))
            // The watch loop is a plain thread, as `passback watch`'s is.
            let transport = harness.transport
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<ScheduledFetch.Outcome, Never>) in
                Thread.detachNewThread {
                    continuation.resume(returning: scheduled.run(transport: transport, progress: { _ in }))
                }
            }
            #expect(outcome.succeeded, "\(outcome.line)")
            #expect(outcome.line.contains("2 course(s) written"))
            let wait = try #require(outcome.claimableAt).timeIntervalSinceNow
            #expect(wait > 6 && wait <= 8)
            #expect(try harness.inbox().count == 4)
            // Without a Canvas address in the settings, the watch only runs.
            #expect(try ScheduledFetch(workspace: harness.workspace, settings: Settings(), environment: [:]) == nil)
        }
        await harness.finish()
    }

    /// `result id score` of every result, sorted.
    static func results(_ xml: String) -> [String] {
        var out: [String] = []
        var current: String?
        for line in xml.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("<Result ") {
                current = line.components(separatedBy: "sourcedId=\"")[1].components(separatedBy: "\"")[0]
            } else if line.hasPrefix("<Score>"), let id = current {
                out.append(id + " " + line.replacingOccurrences(of: "<Score>", with: "").replacingOccurrences(of: "</Score>", with: ""))
            }
        }
        return out.sorted()
    }
}
