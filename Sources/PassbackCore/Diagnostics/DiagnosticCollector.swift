/// Receives recoverable problems from the pipeline's stages.
///
/// Stages never print or decide exit codes; they emit. The run collects per course bundle (so
/// bundles can be checked in parallel and their rows still land in a stable order), the
/// `validate` command prints as it goes.
protocol DiagnosticCollector: AnyObject {
    func emit(_ diagnostic: Diagnostic)
}

/// A collector that keeps diagnostics in order, for one unit of work (a file, a bundle).
final class DiagnosticBuffer: DiagnosticCollector {
    private(set) var diagnostics: [Diagnostic] = []

    init() {}

    func emit(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Removes and returns what was collected.
    func drain() -> [Diagnostic] {
        defer { diagnostics.removeAll() }
        return diagnostics
    }
}
