import ArgumentParser
import Foundation
import Logging

/// `--log-level`, shared by the commands that run batches: logs on standard error. (Files are
/// created private by `RunPipeline` itself, which sets the umask.)
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: error, warning, info or debug.")
    var logLevel: String = "info"

    /// Sets the log handler; call once, first.
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
