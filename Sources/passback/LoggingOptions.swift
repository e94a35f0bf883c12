import ArgumentParser
import Foundation
import Logging
import PassbackCore

/// `--log-level`, shared by the commands that run batches: logs on standard error. (Files are
/// created private by `RunPipeline` itself, which sets the umask.)
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// Version 1 took `--log-level verbose` silently as `info`.
    func validate() throws {
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not a log level; use one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Sets the log handler; call once, first. Every line is escaped for the terminal
    /// (``TerminalSafeLogHandler``): log lines name the files the registrars named.
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = TerminalSafeLogHandler(StreamLogHandler.standardError(label: TerminalText.escaping(label)))
            handler.logLevel = level
            return handler
        }
    }
}
