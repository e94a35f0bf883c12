import TOMLKit

/// The `[hooks]` table of `passback.toml`: a command run after each run, so a district can
/// upload `outbox/` to Aspire or mail the report without wrapping passback in a script.
///
/// ```toml
/// [hooks]
/// after_run = ["/usr/local/bin/passback-after-run", "--mail", "registrar@example.org"]
/// after_run_timeout_seconds = 600
/// ```
///
/// An argument list, never a shell line: nothing in it is expanded, split or quoted.
struct HookSettings: Sendable, Equatable {
    /// The program and its arguments; empty = no hook.
    var afterRun: [String] = []
    /// How long the hook may take before it is stopped (SIGTERM, then SIGKILL 5 s later).
    var afterRunTimeoutSeconds = 300

    init() {}

    static let keys = ["after_run", "after_run_timeout_seconds"]

    /// Reads the `[hooks]` table.
    static func parse(_ value: any TOMLValueConvertible, source: String) throws -> HookSettings {
        guard let table = value.table else {
            throw SettingsError("\(source): hooks must be a table: [hooks] on a line of its own, then after_run = [\"/path/to/program\", \"argument\"]")
        }
        var hooks = HookSettings()
        for key in table.keys where !keys.contains(key) {
            throw SettingsError("\(source): unknown setting 'hooks.\(key)'; known: \(keys.map { "hooks.\($0)" }.joined(separator: ", "))")
        }
        if let command = table["after_run"] {
            guard let array = command.array, !array.isEmpty else {
                throw SettingsError("\(source): hooks.after_run must be a list of strings, the program first: [\"/usr/local/bin/upload\", \"--to\", \"aspire\"] (no shell line)")
            }
            var arguments: [String] = []
            for element in array {
                guard let text = element.string, !text.isEmpty, !text.contains("\0") else {
                    throw SettingsError("\(source): hooks.after_run must be a list of non-empty strings, the program first")
                }
                arguments.append(text)
            }
            hooks.afterRun = arguments
        }
        if let timeout = table["after_run_timeout_seconds"] {
            guard let seconds = timeout.int, (1...86_400).contains(seconds) else {
                throw SettingsError("\(source): hooks.after_run_timeout_seconds must be a whole number from 1 to 86400")
            }
            hooks.afterRunTimeoutSeconds = seconds
        }
        return hooks
    }
}
