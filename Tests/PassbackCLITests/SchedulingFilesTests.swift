import Foundation
import Testing
@testable import PassbackCore

/// The systemd units and the crontab line in docs/ run what the README says: parsed here.
@Suite struct SchedulingFilesTests {
    /// `[Section]` → key → values (a key may repeat).
    func parseUnit(_ name: String) throws -> [String: [String: [String]]] {
        let text = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("docs/systemd/\(name)"), encoding: .utf8)
        var sections: [String: [String: [String]]] = [:]
        var current = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                current = String(line.dropFirst().dropLast())
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            #expect(parts.count == 2, "not key=value: \(line)")
            sections[current, default: [:]][parts[0], default: []].append(parts.count == 2 ? parts[1] : "")
        }
        return sections
    }

    @Test func theServiceRunsOneBatchPrivately() throws {
        let unit = try parseUnit("passback.service")
        let service = try #require(unit["Service"])
        #expect(service["Type"] == ["oneshot"])
        #expect(service["UMask"] == ["0077"])
        let exec = try #require(service["ExecStart"]?.first).split(separator: " ").map(String.init)
        #expect(exec.first?.hasSuffix("/passback") == true)
        #expect(Array(exec.dropFirst().prefix(2)) == ["run", "--root"])
        #expect(!exec.contains("--bulk"))
        #expect(service["SuccessExitStatus"] == ["1 75"])
        #expect(service["ReadWritePaths"]?.first == exec[3])
    }

    @Test func theTimerFiresDailyAtTwo() throws {
        let unit = try parseUnit("passback.timer")
        let timer = try #require(unit["Timer"])
        #expect(timer["OnCalendar"] == ["*-*-* 02:00:00"])
        #expect(timer["Persistent"] == ["true"])
        #expect(timer["Unit"] == ["passback.service"])
        #expect(unit["Install"]?["WantedBy"] == ["timers.target"])
    }

    @Test func theCrontabLineRunsAtTwo() throws {
        let text = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("docs/cron/passback.crontab"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.count == 1)
        let fields = lines[0].split(separator: " ", maxSplits: 5).map(String.init)
        #expect(Array(fields.prefix(5)) == ["0", "2", "*", "*", "*"])
        #expect(fields[5].contains("/passback run --root "))
        #expect(fields[5].hasPrefix("umask 077;"))
    }

    @Test func dailyScheduleNextRun() throws {
        let denver = TimeZone(identifier: "America/Denver")!
        let schedule = try DailySchedule("02:00", timeZone: denver)
        // 2025-10-01 09:00 UTC is 03:00 in Denver: the next run is tomorrow 02:00 MDT = 08:00 UTC.
        #expect(ISOTimestamp.format(schedule.nextRun(after: ISOTimestamp.parse("2025-10-01T09:00:00Z")!)) == "2025-10-02T08:00:00Z")
        #expect(ISOTimestamp.format(schedule.nextRun(after: ISOTimestamp.parse("2025-10-01T07:59:00Z")!)) == "2025-10-01T08:00:00Z")
        // Across the fall-back change (2025-11-02): 02:00 MST = 09:00 UTC.
        #expect(ISOTimestamp.format(schedule.nextRun(after: ISOTimestamp.parse("2025-11-02T08:30:00Z")!)) == "2025-11-02T09:00:00Z")
        // Spring forward (2026-03-08): 02:30 does not exist; run at 03:30 MDT = 09:30 UTC.
        let half = try DailySchedule("02:30", timeZone: denver)
        #expect(ISOTimestamp.format(half.nextRun(after: ISOTimestamp.parse("2026-03-08T07:00:00Z")!)) == "2026-03-08T09:30:00Z")
        #expect(throws: SettingsError.self) { try DailySchedule("2:00", timeZone: denver) }
        #expect(throws: SettingsError.self) { try DailySchedule("24:00", timeZone: denver) }
    }

    /// Issue 12, item 6: `watch` runs once on the day clocks fall back and once on the day they
    /// spring forward, asked as the watch asks: the next run after each run.
    @Test(arguments: [
        // 01:30 happens twice on 2025-11-02 (MDT 07:30Z, MST 08:30Z): only the first runs.
        ("01:30", "2025-11-01T12:00:00Z", ["2025-11-02T07:30:00Z", "2025-11-03T08:30:00Z", "2025-11-04T08:30:00Z"]),
        // 02:30 does not exist on 2026-03-08: it runs at 03:30 MDT (09:30Z), then daily at 02:30.
        ("02:30", "2026-03-07T12:00:00Z", ["2026-03-08T09:30:00Z", "2026-03-09T08:30:00Z", "2026-03-10T08:30:00Z"]),
        // A time unaffected by either change.
        ("23:00", "2025-11-01T12:00:00Z", ["2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z"]),
        ("00:00", "2026-03-07T12:00:00Z", ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"]),
    ])
    func oneRunADayAcrossClockChanges(time: String, start: String, expected: [String]) throws {
        let schedule = try DailySchedule(time, timeZone: TimeZone(identifier: "America/Denver")!)
        var now = ISOTimestamp.parse(start)!
        var runs: [String] = []
        for _ in expected {
            now = schedule.nextRun(after: now)
            runs.append(ISOTimestamp.format(now))
            now = now.addingTimeInterval(0.5)  // the run starts, then the watch asks again
        }
        #expect(runs == expected)
    }
}
