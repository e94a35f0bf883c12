/// A folder that is not a usable workspace: not made by `passback init`, inside another
/// workspace's folders, missing a folder, not writable, the inbox on another file system, or the
/// lock cannot be taken. Nothing can start (exit 2); the message says what to do.
struct WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
