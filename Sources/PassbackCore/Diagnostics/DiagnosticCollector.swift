/// Receives recoverable problems from the pipeline's stages.
///
/// Stages never print or decide exit codes; they emit. The run collects per course bundle (so
/// bundles can be checked in parallel and their rows still land in a stable order), the
/// `validate` command prints as it goes.
public protocol DiagnosticCollector: AnyObject {
    func emit(_ diagnostic: Diagnostic)
}

/// A collector that keeps diagnostics in order, for one unit of work (a file, a bundle).
public final class DiagnosticBuffer: DiagnosticCollector {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func emit(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Removes and returns what was collected.
    public func drain() -> [Diagnostic] {
        defer { diagnostics.removeAll() }
        return diagnostics
    }
}
