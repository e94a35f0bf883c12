import ArgumentParser
import Foundation
import PassbackCore

/// `passback`: passes grades from Canvas course bundles back to Aspire. All logic lives in
/// `PassbackCore`; the commands only parse arguments and map outcomes to exit statuses.
@main
struct Passback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passback",
        abstract: "Pass grades back from Canvas gradebook exports to the Aspire SIS.",
        discussion:
            "Make a workspace with `passback init`. Registrars drop Aspire category exports and Canvas course bundles into <root>/inbox; `run` claims them, checks the passback rules, writes Aspire passback XML to <root>/outbox and a report to <root>/reports.",
        version: PassbackVersion.current,
        subcommands: [InitCommand.self, RunCommand.self, StatusCommand.self, ValidateCommand.self, WatchCommand.self, FetchCommand.self, PruneCommand.self]
    )

    /// Usage errors exit 2 ("could not start"), not ArgumentParser's 64, so a scheduler sees one
    /// code for every start-up problem; their reason is one line, like every other.
    static func main() {
        ProcessMemory.returnLargeBlocksToTheSystem()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                let reason = message(for: error).split(separator: "\n").first.map(String.init) ?? "usage error"
                exit(withError: failure(2, reason.hasPrefix("Error: ") ? String(reason.dropFirst(7)) : reason))
            }
            exit(withError: error)
        }
    }
}
