import Logging

/// A log handler that escapes everything it is given (``TerminalText``) before the handler it
/// wraps writes it: the message, every metadata key and value (nested ones too), the source and
/// an error's description. Log lines name the files the registrars dropped, and a name with a
/// line feed would otherwise forge a log line in journald or the cron log, one with ESC would
/// drive the terminal of whoever reads the log.
public struct TerminalSafeLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped

    /// `wrapped` with its label's, metadata's and provider's text escaped from now on.
    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
        self.wrapped.metadata = Self.escaping(metadata: wrapped.metadata)
        self.metadataProvider = wrapped.metadataProvider
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = Self.escaping(metadata: newValue) }
    }

    /// Kept here, not in the wrapped handler, so that what it provides is escaped too.
    public var metadataProvider: Logger.MetadataProvider? {
        get { storedProvider }
        set {
            storedProvider = newValue
            wrapped.metadataProvider = nil
        }
    }
    private var storedProvider: Logger.MetadataProvider?

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: TerminalText.escaping(key)] }
        set { wrapped[metadataKey: TerminalText.escaping(key)] = newValue.map { Self.escaping(value: $0) } }
    }

    public func log(event: LogEvent) {
        var metadata = storedProvider?.get() ?? [:]
        if let explicit = event.metadata { metadata.merge(explicit) { $1 } }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var escaped = event
        escaped.error = nil
        escaped.message = "\(TerminalText.escaping(event.message.description))"
        escaped.metadata = metadata.isEmpty ? nil : Self.escaping(metadata: metadata)
        escaped.source = TerminalText.escaping(event.source)
        wrapped.log(event: escaped)
    }

    static func escaping(metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { (TerminalText.escaping($0.key), escaping(value: $0.value)) }) { $1 }
    }

    static func escaping(value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(TerminalText.escaping(text))
        case .stringConvertible(let item): .string(TerminalText.escaping(item.description))
        case .dictionary(let nested): .dictionary(escaping(metadata: nested))
        case .array(let items): .array(items.map { escaping(value: $0) })
        }
    }
}
