import Foundation
import TOMLKit

/// The settings of a workspace (`passback.toml` in the root; every one has a default), spec
/// section 1.
///
/// ```toml
/// name_length_limit = 50               # Canvas accounts also use 30
/// incremental_window_days = 30
/// time_zone = "America/Denver"
/// settle_seconds = 60                  # a dropped file must be unchanged this long
/// incomplete_bundle_wait_hours = 24    # half a bundle waits this long, then is quarantined
/// max_input_bytes = 268435456          # a larger dropped file is quarantined unread (too-large)
/// send_unposted_grades = false         # true: also send grades not posted to students in Canvas
/// ```
///
/// Unknown keys are refused (a misspelt setting must not silently fall back to a default).
public struct Settings: Sendable, Equatable {
    var nameLengthLimit = 50
    var incrementalWindowDays = 30
    public var timeZone = "America/Denver"
    var settleSeconds = 60
    var incompleteBundleWaitHours = 24
    /// 256 MiB: a 35,000-student gradebook of 100 assignments is about 40 MB. A large course needs
    /// about 30 bytes of memory per grade cell (about 225 MB for that gradebook, 875 MB for a
    /// 200 MB one; docs/PERFORMANCE.md "One big course"): lower this on a small server.
    var maxInputBytes: Int64 = 256 << 20
    /// `[canvas]`: where `passback fetch` and `passback watch` read courses from (optional).
    var canvas: CanvasSettings?
    /// `[hooks]`: the command run after each run (``HookSettings``).
    var hooks = HookSettings()
    /// Send grades the teacher has not posted in Canvas yet (spec 2.2); by default they are held
    /// until posted, so Aspire's parent portal never shows a grade before the student sees it.
    var sendUnpostedGrades = false

    public init() {}

    static let fileName = "passback.toml"

    static let keys = [
        "name_length_limit", "incremental_window_days", "time_zone", "settle_seconds", "incomplete_bundle_wait_hours", "max_input_bytes", "send_unposted_grades", "canvas", "hooks",
    ]

    /// Reads `passback.toml` from `root` if there is one.
    public static func load(root: URL) throws -> Settings {
        let url = root.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return Settings() }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SettingsError("\(url.path) cannot be read as UTF-8 text")
        }
        return try parse(text, source: url.path)
    }

    static func parse(_ text: String, source: String = fileName) throws -> Settings {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SettingsError("\(source):\(error.source.begin.line): not valid TOML (\(error.description))")
        } catch {
            throw SettingsError("\(source): not valid TOML")
        }
        var settings = Settings()
        for key in table.keys {
            guard keys.contains(key) else {
                throw SettingsError("\(source): unknown setting '\(key)'; known: \(keys.joined(separator: ", "))")
            }
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value = table[key] else { return nil }
            guard let number = value.int, range.contains(number) else {
                throw SettingsError("\(source): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        if let v = try integer("name_length_limit", 1...255) { settings.nameLengthLimit = v }
        if let v = try integer("incremental_window_days", 1...3650) { settings.incrementalWindowDays = v }
        if let v = try integer("settle_seconds", 0...86_400) { settings.settleSeconds = v }
        if let v = try integer("incomplete_bundle_wait_hours", 0...8760) { settings.incompleteBundleWaitHours = v }
        if let v = try integer("max_input_bytes", 1024...(1 << 40)) { settings.maxInputBytes = Int64(v) }
        if let value = table["send_unposted_grades"] {
            guard let flag = value.bool else { throw SettingsError("\(source): send_unposted_grades must be true or false") }
            settings.sendUnpostedGrades = flag
        }
        if let value = table["time_zone"] {
            guard let zone = value.string else { throw SettingsError("\(source): time_zone must be a string such as \"America/Denver\"") }
            settings.timeZone = zone
        }
        if let value = table["canvas"] { settings.canvas = try CanvasSettings(value: value, source: source) }
        if let value = table["hooks"] { settings.hooks = try HookSettings.parse(value, source: source) }
        do {
            _ = try settings.calendar()
        } catch let error as SettingsError {
            throw SettingsError("\(source): \(error.message)")
        }
        return settings
    }

    /// The school calendar for ``timeZone``.
    public func calendar() throws -> SchoolCalendar {
        try SchoolCalendar(timeZoneIdentifier: timeZone)
    }
}
