/// Bad settings (`passback.toml` or the command line): the run cannot start (exit 2).
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The workspace cannot be used: its root is not a folder, a folder of it cannot be made or
/// written, the inbox is on another file system, or the lock cannot be taken.
struct WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
