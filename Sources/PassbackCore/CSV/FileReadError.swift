#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating system could not open or read an input file (`open` or `read` failed).
///
/// Kept apart from ``InputFileError`` on purpose: a failed read says nothing about the file's
/// content (a disk error, a permission, a file that vanished), so the file should be tried again
/// by a later run rather than quarantined as malformed. End of file is never an error.
struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed: `open` or `read`.
    var operation: String
    /// The file, when the reader was given a path.
    var path: String?
    /// The `errno` value the call reported.
    var errorNumber: Int32

    init(operation: String, path: String?, errorNumber: Int32) {
        self.operation = operation
        self.path = path
        self.errorNumber = errorNumber
    }

    /// The system's text for ``errorNumber`` (`No such file or directory`).
    var reason: String {
        guard let text = strerror(errorNumber) else { return "error \(errorNumber)" }
        return String(cString: text)
    }

    var description: String {
        "could not \(operation) \(path.map { "'\($0)'" } ?? "the input"): \(reason) (errno \(errorNumber))"
    }
}
