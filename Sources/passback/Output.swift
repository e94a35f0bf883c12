import ArgumentParser
import Foundation
import PassbackCore

/// Standard error as a `TextOutputStream`, for the one-line reasons of non-zero exits.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

nonisolated(unsafe) var standardError = StandardError()

/// Prints `reason` as one line on standard error and returns the exit status to throw
/// (`throw failure(2, "...")`): the command unwinds, so the ledger and the lock are closed by
/// their owners rather than cut off by `exit()`.
/// The reason is escaped for the terminal (``TerminalText``): it may name a file a registrar named.
func failure(_ code: Int32, _ reason: String) -> ExitCode {
    print("passback: " + TerminalText.escaping(reason.replacingOccurrences(of: "\n", with: " ")), to: &standardError)
    return ExitCode(code)
}
