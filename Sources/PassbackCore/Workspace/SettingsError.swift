/// Bad settings (`passback.toml` or the command line): the run cannot start (exit 2).
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
