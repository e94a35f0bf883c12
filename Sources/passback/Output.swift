import Foundation

/// Standard error as a `TextOutputStream`, for the one-line reasons of non-zero exits.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

nonisolated(unsafe) var standardError = StandardError()

/// Exits with `code` after printing `reason` as one line on standard error.
func fail(_ code: Int32, _ reason: String) -> Never {
    print("passback: " + reason.replacingOccurrences(of: "\n", with: " "), to: &standardError)
    exit(code)
}
