import ArgumentParser
import Foundation
import Logging

/// `--log-level`, shared by the commands that run batches, and the process set-up they share:
/// logs on standard error, files created private to the service account.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: error, warning, info or debug.")
    var logLevel: String = "info"

    /// Sets the umask and the log handler; call once, first.
    func bootstrap() {
        umask(0o077)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
