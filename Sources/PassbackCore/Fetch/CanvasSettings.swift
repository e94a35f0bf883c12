import TOMLKit

/// The `[canvas]` table of `passback.toml`: where `passback fetch` reads from when the command
/// line does not say, and what `passback watch` fetches before each nightly run.
///
/// ```toml
/// [canvas]
/// url = "https://school.instructure.com"
/// account = "1"                 # or "sis_account_id:DISTRICT"
/// term = "2026-S1"              # the term's SIS id
/// token_file = "canvas.token"   # relative to the workspace; mode 0600
/// ```
///
/// Every key is optional here (the command line may give the rest); unknown keys are refused,
/// as everywhere in the settings.
struct CanvasSettings: Sendable, Equatable {
    var url: String?
    var account: String?
    var term: String?
    /// As written; relative paths are relative to the workspace root.
    var tokenFile: String?

    static let keys = ["url", "account", "term", "token_file"]

    init(url: String? = nil, account: String? = nil, term: String? = nil, tokenFile: String? = nil) {
        self.url = url
        self.account = account
        self.term = term
        self.tokenFile = tokenFile
    }

    /// Reads the `canvas` member of the settings file.
    /// - Throws: ``SettingsError`` when it is not a table, has an unknown key or a value of
    ///   the wrong type.
    init(value: any TOMLValueConvertible, source: String) throws {
        guard let table = value.table else {
            throw SettingsError("\(source): canvas must be a table: a line [canvas] followed by url = \"...\", account = \"...\", term = \"...\", token_file = \"...\"")
        }
        for key in table.keys where !Self.keys.contains(key) {
            throw SettingsError("\(source): unknown setting 'canvas.\(key)'; known in [canvas]: \(Self.keys.joined(separator: ", "))")
        }
        func text(_ key: String, numberAllowed: Bool = false) throws -> String? {
            guard let value = table[key] else { return nil }
            if let string = value.string, !string.trimmingASCIISpaces().isEmpty { return string.trimmingASCIISpaces() }
            if numberAllowed, let number = value.int, number >= 0 { return String(number) }
            throw SettingsError("\(source): canvas.\(key) must be \(numberAllowed ? "a Canvas id or " : "")non-empty text in quotes")
        }
        url = try text("url")
        // Checked here, not first at the night's fetch: `run`, `status` and `watch` read the same
        // file, and a plain-http address would send the token unencrypted.
        if let url { _ = try CanvasEndpoint(url, givenAs: "\(source): canvas.url") }
        account = try text("account", numberAllowed: true)
        term = try text("term")
        tokenFile = try text("token_file")
    }
}
