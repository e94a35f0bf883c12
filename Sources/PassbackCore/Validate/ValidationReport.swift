/// What `passback validate` prints: one line per problem, the same problem for many assignments
/// counted on one line rather than repeated (version 1 printed one message 22 times when no
/// categories were known), and a last line that says `ok` only when a run would report no error.
/// Lines are escaped for the terminal (``TerminalText``): they name files the registrars named.
public struct ValidationReport: Sendable {
    /// Lines for standard output, in the order found.
    public private(set) var lines: [String] = []
    public private(set) var errors = 0
    private(set) var warnings = 0
    /// Files with at least one error.
    private(set) var filesWithErrors = 0
    private var filesChecked = 0

    public init(findings: [FileValidator.Finding]) {
        struct Key: Hashable {
            var place: String
            var severity: Diagnostic.Severity
            var code: RuleCode
            var message: String
        }
        var order: [Key] = []
        var groups: [Key: [Diagnostic]] = [:]
        var notes: [Key: String] = [:]
        var files: Set<String> = []
        var badFiles: Set<String> = []
        for finding in findings {
            files.insert(finding.file)
            if let d = finding.diagnostic {
                let place = d.location.map { $0.file + ($0.line.map { ":\($0)" } ?? "") } ?? finding.file
                let key = Key(place: place, severity: d.severity, code: d.code, message: d.message)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(d)
                switch d.severity {
                case .error:
                    errors += 1
                    badFiles.insert(d.location?.file ?? finding.file)
                case .warning: warnings += 1
                case .skipped: break
                }
            } else if let note = finding.note {
                let key = Key(place: finding.file, severity: .skipped, code: RuleCode(""), message: "\u{0}" + note + "\u{0}\(order.count)")
                order.append(key)
                notes[key] = "\(finding.file): \(note)"
            }
        }
        for key in order {
            if let note = notes[key] {
                lines.append(TerminalText.escaping(note))
                continue
            }
            let group = groups[key]!
            lines.append(TerminalText.escaping("\(key.place): \(key.severity.rawValue) \(key.code)\(Self.about(group)): \(key.message)\(Self.count(group))"))
        }
        filesChecked = files.count
        filesWithErrors = badFiles.count
    }

    /// `assignment 1002 section S1`: what the findings share (all of it for one finding).
    private static func about(_ group: [Diagnostic]) -> String {
        var about = ""
        let assignments = Set(group.map(\.subject.canvasAssignmentID))
        let sections = Set(group.map(\.subject.sectionSISID))
        if assignments.count == 1, let a = assignments.first!, !a.isEmpty { about += " assignment \(a)" }
        if sections.count == 1, let s = sections.first!, !s.isEmpty { about += " section \(s)" }
        return about
    }

    /// ` (11 times: assignments 1001, 1002, 1010, 1011, 1012 and 6 more)` for a repeated finding.
    private static func count(_ group: [Diagnostic]) -> String {
        guard group.count > 1 else { return "" }
        var seen: [String] = []
        var kind = "assignments"
        var values = group.compactMap(\.subject.canvasAssignmentID)
        if Set(values).count <= 1 {
            values = group.compactMap(\.subject.sectionSISID)
            kind = "sections"
        }
        for value in values where !seen.contains(value) { seen.append(value) }
        guard seen.count > 1 else { return " (\(group.count) times)" }
        let shown = seen.prefix(5).joined(separator: ", ")
        let more = seen.count > 5 ? " and \(seen.count - 5) more" : ""
        return " (\(group.count) times: \(kind) \(shown)\(more))"
    }

    /// The last line: `ok: ...` on standard output when a run would report no error, else the
    /// one-line reason for standard error.
    public var closingLine: String {
        if errors == 0 {
            return "ok: \(filesChecked) file(s) checked; a run would report no error" + (warnings > 0 ? " (\(warnings) warning(s))" : "")
        }
        return "\(errors) error(s) in \(filesWithErrors) file(s); a run would report them"
    }
}
