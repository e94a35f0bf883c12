import Foundation
import Testing

/// File names with line breaks, ESC and bidirectional overrides, as a registrar with write access
/// to `inbox/` can drop them: version 2 wrote them raw into the log (a forged
/// `passback: run finished` line), into `status --search` and into `validate`, where ESC
/// coloured the operator's terminal and set its title.
@Suite struct ControlCharacterNameTests {
    static let clock = "2025-10-01T09:00:00Z"

    /// The names dropped, and how each is shown once escaped.
    static let names: [(dropped: String, shown: String)] = [
        ("line1\npassback: run finished, 0 errors\n.categories.csv", #"line1\npassback: run finished, 0 errors\n.categories.csv"#),
        ("esc\u{1B}[31mRED\u{1B}[0m\u{1B}]0;pwned\u{07}.categories.csv", #"esc\u{1B}[31mRED\u{1B}[0m\u{1B}]0;pwned\u{7}.categories.csv"#),
        ("cr\rbidi\u{202E}vsc\u{85}.categories.csv", #"cr\rbidi\u{202E}vsc\u{85}.categories.csv"#),
    ]

    /// The scalars that must never reach a terminal raw; a line feed only ends a line.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { s in
            s != "\n" && (s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value))
        }.map { String(format: "U+%04X", $0.value) }
    }

    @Test func namesWithControlCharactersAreEscapedInTheLogStatusAndValidate() throws {
        let manager = FileManager.default
        let root = try CommandRunner.temporaryFolder("control-names").appendingPathComponent("root")
        defer { try? manager.removeItem(at: root.deletingLastPathComponent()) }
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        let inbox = root.appendingPathComponent("inbox")
        for name in Self.names {
            try Data("not,a,category,export\n".utf8).write(to: inbox.appendingPathComponent(name.dropped))
        }

        let validate = try CommandRunner.run(["validate", "--root", root.path, "--now", Self.clock])
        #expect(validate.status == 1, "\(validate.stdout)\(validate.stderr)")
        #expect(Self.rawControls(validate.stdout + validate.stderr).isEmpty, "\(Self.rawControls(validate.stdout))")
        for name in Self.names {
            #expect(validate.stdout.contains("\(inbox.path)/\(name.shown):1: error malformed-file: "), "\(validate.stdout)")
        }

        let run = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(Self.rawControls(run.stdout + run.stderr).isEmpty, "\(Self.rawControls(run.stderr))")
        // No forged line: every log line is one of passback's.
        #expect(!run.stderr.split(separator: "\n").contains { $0.hasPrefix("passback: run finished") }, "\(run.stderr)")
        for name in Self.names {
            #expect(run.stderr.contains("file=\(name.shown)"), "\(run.stderr)")
        }

        let status = try CommandRunner.run(["status", "--root", root.path, "--search", ".categories.csv"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(Self.rawControls(status.stdout).isEmpty, "\(Self.rawControls(status.stdout))")
        #expect(status.stdout.contains("rejected files: 3"), "\(status.stdout)")
        for name in Self.names {
            #expect(status.stdout.contains(name.shown), "\(status.stdout)")
        }
    }
}
