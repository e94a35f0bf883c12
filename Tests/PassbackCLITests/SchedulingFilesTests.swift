import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// The systemd units, the crontab line and `scripts/install` work as written (spec section 7;
/// version 1's unit did not verify: no binary, no user, no `StateDirectory=`, no folders; the cron
/// line logged to a folder nothing made).
@Suite struct SchedulingFilesTests {
    static let unitNames = ["passback.service", "passback.timer", "passback-watch.service"]

    /// `[Section]` → key → values (a key may repeat; an empty value is kept, as `Key=` resets).
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
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            #expect(parts.count == 2, "not key=value: \(line)")
            sections[current, default: [:]][parts[0], default: []].append(parts.count == 2 ? parts[1] : "")
        }
        return sections
    }

    static let hardening: [String: String] = [
        "NoNewPrivileges": "true", "ProtectSystem": "strict", "ProtectHome": "true", "PrivateTmp": "true", "PrivateDevices": "true",
        "ProtectKernelTunables": "true", "ProtectKernelModules": "true", "ProtectControlGroups": "true", "CapabilityBoundingSet": "",
        "RestrictNamespaces": "true", "SystemCallFilter": "@system-service", "UMask": "0077",
    ]

    @Test func theServiceRunsOneBatchPrivatelyInItsStateDirectory() throws {
        let unit = try parseUnit("passback.service")
        let service = try #require(unit["Service"])
        #expect(service["Type"] == ["oneshot"])
        let exec = try #require(service["ExecStart"]?.first).split(separator: " ").map(String.init)
        #expect(exec.first == "/usr/local/bin/passback")
        #expect(Array(exec.dropFirst()) == ["run", "--root", "/var/lib/passback"])
        // Only 1 (a report with errors) is a success; 2, 3 (stopped part-way) and 75 fail the unit.
        #expect(service["SuccessExitStatus"] == ["1"])
        // SIGTERM stops a run at its commit group in flight (exit 3); time enough for the largest course.
        #expect(service["KillSignal"] == ["SIGTERM"])
        #expect(service["TimeoutStopSec"] == ["5min"])
        #expect(service["StateDirectory"] == ["passback"])
        #expect("/var/lib/" + (service["StateDirectory"]?.first ?? "") == exec[3])
        #expect(service["StateDirectoryMode"] == ["0750"])
        #expect(service["User"] == ["passback"])
        #expect(service["Group"] == ["registrars"])
        for (key, value) in Self.hardening {
            #expect(service[key] == [value], "\(key)")
        }
        // Would stop the setgid quarantine folders the registrars read.
        #expect(service["RestrictSUIDSGID"] == nil)
    }

    @Test func theWatchServiceStaysUpAndIsNotRestartedWhenItCannotStart() throws {
        let unit = try parseUnit("passback-watch.service")
        let service = try #require(unit["Service"])
        let exec = try #require(service["ExecStart"]?.first).split(separator: " ").map(String.init)
        #expect(Array(exec.dropFirst()) == ["watch", "--root", "/var/lib/passback", "--daily-at", "02:00"])
        #expect(service["Restart"] == ["on-failure"])
        #expect(service["RestartPreventExitStatus"] == ["2"])
        #expect(service["KillSignal"] == ["SIGTERM"])
        #expect(service["TimeoutStopSec"] == ["5min"])
        #expect(service["StateDirectory"] == ["passback"])
        for (key, value) in Self.hardening {
            #expect(service[key] == [value], "\(key)")
        }
        #expect(unit["Unit"]?["Conflicts"] == ["passback.timer passback.service"])
        #expect(unit["Install"]?["WantedBy"] == ["multi-user.target"])
    }

    @Test func theTimerFiresDailyAtTwo() throws {
        let unit = try parseUnit("passback.timer")
        let timer = try #require(unit["Timer"])
        #expect(timer["OnCalendar"] == ["*-*-* 02:00:00"])
        #expect(timer["Persistent"] == ["true"])
        #expect(timer["Unit"] == ["passback.service"])
        #expect(unit["Install"]?["WantedBy"] == ["timers.target"])
    }

    /// `systemd-analyze verify` accepts the units as shipped (the binary's path pointed at the
    /// built one, which is all that differs on a machine before `scripts/install`), with no
    /// warning: an unknown or misspelt key is only a warning to systemd.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func theUnitsVerify() throws {
        let folder = try CommandRunner.temporaryFolder("units")
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in Self.unitNames {
            let text = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("docs/systemd/\(name)"), encoding: .utf8)
            try Data(text.replacingOccurrences(of: "/usr/local/bin/passback", with: CommandRunner.binary.path).utf8).write(to: folder.appendingPathComponent(name))
        }
        let result = try CommandRunner.runShell("cd \"$0\" && exec systemd-analyze verify passback.service passback.timer passback-watch.service", arguments: [folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        // And it does fail a unit that names no binary, as version 1's did.
        let missing = try CommandRunner.runShell(
            "cd \"$0\" && sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/passback|' passback.service > broken.service && exec systemd-analyze verify broken.service",
            arguments: [folder.path])
        #expect(missing.status != 0)
    }

    @Test func theCrontabLineRunsAtTwoAndLogsWhereInstallMakesAFolder() throws {
        let text = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("docs/cron/passback.crontab"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.count == 1)
        let fields = lines[0].split(separator: " ", maxSplits: 5).map(String.init)
        #expect(Array(fields.prefix(5)) == ["0", "2", "*", "*", "*"])
        #expect(fields[5] == "umask 077; /usr/local/bin/passback run --root /var/lib/passback >>/var/log/passback/passback.log 2>&1")
        let install = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("scripts/install"), encoding: .utf8)
        #expect(install.contains("log_dir=/var/log/passback"))
        #expect(install.contains("install -d -o \"$user\" -g \"$(id -gn \"$user\")\" -m 0750 \"$log_dir\""))
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
        // As people read it: in the school's zone.
        #expect(SchoolTime(timeZone: denver).format(ISOTimestamp.parse("2025-10-02T08:00:00Z")!) == "2025-10-02T02:00:00-06:00")
        #expect(SchoolTime(timeZone: denver).format(ISOTimestamp.parse("2025-12-02T09:00:00Z")!) == "2025-12-02T02:00:00-07:00")
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
