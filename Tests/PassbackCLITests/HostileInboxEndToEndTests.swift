import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built binary on an inbox where one good course bundle and its category export sit
/// among broken and hostile files of every kind (issue 5): every bad file is quarantined with its
/// reason and reported once, with its line where one is to blame, and the good course is still
/// sent.
@Suite struct HostileInboxEndToEndTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    /// A file that must be rejected: what it is made of, and what the report and the reason say.
    struct Rejected {
        var name: String
        var code: String
        var line: Int?
        var fragment: String
    }

    static var fixtures: URL { CommandRunner.repositoryRoot.appendingPathComponent("Tests/PassbackCoreTests/Fixtures") }
    static var samples: URL { CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox") }

    /// Broken gradebooks (each with a good partner JSON of its own course) and where they break.
    static let gradebooks: [(fixture: String, line: Int?, fragment: String)] = [
        ("malformed-excel-unicode-text.csv", 1, "save it as \"CSV UTF-8 (Comma delimited)\""),
        ("malformed-tab-separated.csv", 1, "separated by tabs"),
        ("malformed-latin1-sis-id.csv", 4, "not valid UTF-8"),
        ("malformed-latin1-header.csv", 1, "not valid UTF-8"),
        ("malformed-ragged-row.csv", 4, "has 7 fields but the header has 6"),
        ("malformed-short-row.csv", 4, "has 5 fields but the header has 6"),
        ("malformed-nul-byte.csv", 3, "NUL byte"),
        ("malformed-empty.csv", nil, "The file is empty"),
        ("malformed-header-only.csv", nil, "nothing after the header"),
        ("malformed-unterminated-quote.csv", 4, "never closed"),
        ("malformed-no-sis-user-id.csv", 1, "no \"SIS User ID\" column"),
        ("malformed-duplicate-id-column.csv", 1, "\"ID\" column twice"),
    ]

    /// Broken bundle JSONs (each with a good partner gradebook).
    static let bundles: [(fixture: String, line: Int?, fragment: String)] = [
        ("malformed-truncated.canvas.json", 10, "it ends in the middle of a value on line 10"),
        ("malformed-trailing-garbage.canvas.json", 17, "unexpected text on line 17"),
        ("malformed-array.canvas.json", nil, "but this file starts with a list"),
        ("malformed-points-as-text.canvas.json", nil, "points_possible: expected a number, found text in quotes"),
        ("malformed-published-as-text.canvas.json", nil, "published: expected true or false"),
        ("malformed-missing-sections.canvas.json", nil, "has no sections"),
    ]

    static let categoryXML: [(fixture: String, line: Int?, fragment: String)] = [
        ("xxe-local-file.categories.xml", 2, "DOCTYPE"),
        ("xxe-parameter-entity.categories.xml", 2, "DOCTYPE"),
        ("billion-laughs.categories.xml", 2, "DOCTYPE"),
        ("quadratic-blowup.categories.xml", 2, "DOCTYPE"),
        ("external-dtd.categories.xml", 2, "DOCTYPE"),
        ("xinclude.categories.xml", 5, "XInclude"),
        ("deep-nesting.categories.xml", 4, "not expected"),
        ("truncated.categories.xml", 4, "not well-formed XML"),
        ("two-roots.categories.xml", 7, "Extra content"),
        ("empty.categories.xml", 1, "empty"),
        ("nul-byte.categories.xml", 5, "Char 0x0"),
        ("bad-utf8.categories.xml", 5, "not proper UTF-8"),
        ("bad-utf16.categories.xml", 5, "not valid text in its encoding"),
        ("schema-violation.categories.xml", 5, "status"),
    ]

    static let categoryCSV: [(fixture: String, line: Int?, fragment: String)] = [
        ("malformed-utf16.categories.csv", 1, "UTF-16"),
        ("malformed-latin1-title.categories.csv", 3, "not valid UTF-8"),
        ("malformed-ragged-row.categories.csv", 2, "has 11 fields but the header has 12"),
        ("malformed-nul-byte.categories.csv", 3, "NUL byte"),
        ("malformed-header-only.categories.csv", 1, "no categories"),
        ("malformed-empty.categories.csv", nil, "empty"),
        ("malformed-missing-columns.categories.csv", 1, "lacks the required columns"),
    ]

    /// Writes the inbox; returns the files that must be rejected, and the partners held with them.
    static func makeInbox(_ inbox: URL) throws -> (rejected: [Rejected], held: [String]) {
        let manager = FileManager.default
        try manager.createDirectory(at: inbox, withIntermediateDirectories: true)
        func copy(_ source: URL, as name: String) throws {
            try manager.copyItem(at: source, to: inbox.appendingPathComponent(name))
        }
        // The good course and its categories.
        for name in ["biology.gradebook.csv", "biology.canvas.json", "aspire-702-Q1-science.categories.xml"] {
            try copy(samples.appendingPathComponent(name), as: name)
        }
        let biologyJSON = try String(contentsOf: samples.appendingPathComponent("biology.canvas.json"), encoding: .utf8)
        var rejected: [Rejected] = []
        var held: [String] = []

        // A good partner JSON per broken gradebook, each of its own course (a second bundle of
        // the same course would supersede the first instead).
        for (index, gradebook) in gradebooks.enumerated() {
            let stem = "gradebook-\(index + 1)"
            try copy(fixtures.appendingPathComponent("gradebooks/\(gradebook.fixture)"), as: "\(stem).gradebook.csv")
            let json = biologyJSON.replacingOccurrences(of: "\"id\": 5151,", with: "\"id\": \(9100 + index),")
            try Data(json.utf8).write(to: inbox.appendingPathComponent("\(stem).canvas.json"))
            rejected.append(Rejected(name: "\(stem).gradebook.csv", code: "malformed-file", line: gradebook.line, fragment: gradebook.fragment))
            held.append("\(stem).canvas.json")
        }
        for (index, bundle) in bundles.enumerated() {
            let stem = "bundle-\(index + 1)"
            try copy(fixtures.appendingPathComponent("bundles/\(bundle.fixture)"), as: "\(stem).canvas.json")
            try copy(samples.appendingPathComponent("biology.gradebook.csv"), as: "\(stem).gradebook.csv")
            rejected.append(Rejected(name: "\(stem).canvas.json", code: "malformed-file", line: bundle.line, fragment: bundle.fragment))
            held.append("\(stem).gradebook.csv")
        }
        // Absurd size: a sparse file one byte over the 64 MiB cap (no disk used, never read).
        let huge = inbox.appendingPathComponent("huge.canvas.json")
        #expect(manager.createFile(atPath: huge.path, contents: nil))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(64 << 20) + 1)
        try handle.close()
        try copy(samples.appendingPathComponent("biology.gradebook.csv"), as: "huge.gradebook.csv")
        rejected.append(Rejected(name: "huge.canvas.json", code: "malformed-file", line: nil, fragment: "more than the 67108864 allowed"))
        held.append("huge.gradebook.csv")
        // Not JSON at all.
        try Data([0x00, 0x01, 0xFF, 0xFE]).write(to: inbox.appendingPathComponent("binary.canvas.json"))
        try copy(samples.appendingPathComponent("biology.gradebook.csv"), as: "binary.gradebook.csv")
        rejected.append(Rejected(name: "binary.canvas.json", code: "malformed-file", line: nil, fragment: "is it JSON at all?"))
        held.append("binary.gradebook.csv")

        for xml in categoryXML {
            try copy(fixtures.appendingPathComponent("categories-xml/\(xml.fixture)"), as: xml.fixture)
            rejected.append(Rejected(name: xml.fixture, code: "malformed-file", line: xml.line, fragment: xml.fragment))
        }
        for csv in categoryCSV {
            try copy(fixtures.appendingPathComponent("categories/\(csv.fixture)"), as: csv.fixture)
            rejected.append(Rejected(name: csv.fixture, code: "malformed-file", line: csv.line, fragment: csv.fragment))
        }

        // Hostile names: a formula, a name of 250 bytes (too long for `<name>.reason.txt`), a
        // symbolic link to a system file, a name that is no input at all, one that is not UTF-8.
        let formula = "=HYPERLINK(\"x\";\"y\")+1.categories.csv"
        try copy(fixtures.appendingPathComponent("categories/malformed-ragged-row.categories.csv"), as: formula)
        rejected.append(Rejected(name: formula, code: "malformed-file", line: 2, fragment: "has 11 fields"))
        let long = String(repeating: "l", count: 250 - ".categories.csv".count) + ".categories.csv"
        try copy(fixtures.appendingPathComponent("categories/malformed-ragged-row.categories.csv"), as: long)
        rejected.append(Rejected(name: long, code: "malformed-file", line: 2, fragment: "has 11 fields"))
        try manager.createSymbolicLink(atPath: inbox.appendingPathComponent("passwd.categories.csv").path, withDestinationPath: "/etc/passwd")
        rejected.append(Rejected(name: "passwd.categories.csv", code: "unknown-file", line: nil, fragment: "symbolic link"))
        try Data("MZ".utf8).write(to: inbox.appendingPathComponent("payload.exe"))
        rejected.append(Rejected(name: "payload.exe", code: "unknown-file", line: nil, fragment: "name category exports"))
        // A name that is not UTF-8 (Latin-1 é): renamed with %XX, then refused.
        let latin1 = Array(inbox.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".categories.csv".utf8) + [0]
        let descriptor = latin1.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
        }
        #expect(descriptor >= 0)
        close(descriptor)
        rejected.append(Rejected(name: "caf%E9.categories.csv", code: "unknown-file", line: nil, fragment: "not UTF-8"))
        return (rejected, held)
    }

    /// The report's rows as dictionaries by column name (read with the project's CSV reader).
    static func readReport(_ url: URL) throws -> [[String: String]] {
        var reader = try CSVReader(fileAt: url.path)
        var rows: [[String]] = []
        while try reader.next() { rows.append(try reader.strings()) }
        let header = try #require(rows.first)
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test func everyBrokenFileIsQuarantinedAndReportedAndTheGoodCourseIsSent() throws {
        let manager = FileManager.default
        let root = try CommandRunner.temporaryFolder("hostile").appendingPathComponent("root")
        defer { try? manager.removeItem(at: root.deletingLastPathComponent()) }
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        let (rejected, held) = try Self.makeInbox(root.appendingPathComponent("inbox"))

        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error(s) reported"), "\(result.stderr)")

        // The good course went out, and its files and categories were archived.
        let outbox = try manager.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path)
        #expect(outbox == ["\(Self.runID)_MST0000009Bb56.xml"])
        let archived = try manager.contentsOfDirectory(atPath: root.appendingPathComponent("archive/2025-10-01/\(Self.runID)").path).sorted()
        #expect(archived == ["aspire-702-Q1-science.categories.xml", "biology.canvas.json", "biology.gradebook.csv"])
        #expect(try manager.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path).isEmpty)
        #expect(try manager.contentsOfDirectory(atPath: root.appendingPathComponent("work").path).isEmpty)

        // Every rejected file, and every good partner held with a bad one, is in quarantine with
        // its reason.
        let quarantine = root.appendingPathComponent("quarantine/\(Self.runID)")
        let quarantined = Set(try manager.contentsOfDirectory(atPath: quarantine.path))
        let reasonFiles = quarantined.filter { $0.hasSuffix(".reason.txt") }
        #expect(quarantined.count == 2 * (rejected.count + held.count), "\(quarantined.sorted())")
        for file in rejected {
            #expect(quarantined.contains(file.name), "\(file.name) is not in quarantine")
            // A name too long for the suffix gets a shortened reason file that names it.
            let reasonName =
                reasonFiles.first { $0 == file.name + ".reason.txt" }
                ?? reasonFiles.first { file.name.utf8.count > 240 && $0.hasPrefix(String(file.name.prefix(200))) }
            guard let reasonName else {
                Issue.record("no reason file for \(file.name)")
                continue
            }
            let reason = try String(contentsOf: quarantine.appendingPathComponent(reasonName), encoding: .utf8)
            let prefix = file.code + (file.line.map { " (line \($0))" } ?? "") + ": "
            #expect(reason.hasPrefix(prefix), "\(file.name): \(reason)")
            #expect(reason.contains(file.fragment), "\(file.name): \(reason)")
            #expect(!reason.contains("root:x:0:0"), "\(file.name): the reason quotes /etc/passwd")
        }
        for partner in held {
            let reason = try String(contentsOf: quarantine.appendingPathComponent(partner + ".reason.txt"), encoding: .utf8)
            #expect(reason.hasPrefix("malformed-file: Held with its partner"), "\(partner): \(reason)")
        }
        // The link itself was moved, not what it points to.
        let link = try manager.destinationOfSymbolicLink(atPath: quarantine.appendingPathComponent("passwd.categories.csv").path)
        #expect(link == "/etc/passwd")

        // One error row per rejected file, with its code and line; success rows for biology only.
        let rows = try Self.readReport(root.appendingPathComponent("reports/\(Self.runID).csv"))
        for file in rejected {
            let shownName = file.name.hasPrefix("=") ? "'" + file.name : file.name
            let matching = rows.filter { $0["source_file"] == shownName }
            #expect(matching.count == 1, "\(file.name): \(matching.count) rows")
            guard let row = matching.first else { continue }
            #expect(row["status"] == "error")
            #expect(row["rule"] == file.code)
            #expect(row["source_line"] == file.line.map(String.init) ?? "", "\(file.name)")
            #expect(row["message"]?.contains(file.fragment) == true, "\(file.name): \(row["message"] ?? "")")
        }
        for partner in held {
            #expect(rows.filter { $0["source_file"] == partner }.isEmpty, "\(partner) is reported though it is not broken")
        }
        let successes = rows.filter { $0["status"] == "success" }
        #expect(!successes.isEmpty)
        #expect(successes.allSatisfy { $0["course_sis_id"] == "CRS-BIO1" && $0["section_sis_id"] == "MST0000009Bb56" && $0["source_file"] == "biology.gradebook.csv" })
        #expect(rows.filter { $0["status"] == "error" }.count >= rejected.count)
    }

    /// The formula course (`Fixtures/formula-course`): file names, ids and assignment names that
    /// start with `=`, `+`, `-`, `@`, a tab or a line feed. No cell of the report may start with
    /// one of them; each shows with a leading `'`. The same report is what
    /// `scripts/check-report-in-libreoffice` opens in LibreOffice (outside CI).
    @Test func theReportOfAFormulaCourseHoldsNoLiveFormula() throws {
        let manager = FileManager.default
        let root = try CommandRunner.temporaryFolder("formula").appendingPathComponent("root")
        defer { try? manager.removeItem(at: root.deletingLastPathComponent()) }
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try manager.copyItem(at: Self.fixtures.appendingPathComponent("formula-course/inbox"), to: root.appendingPathComponent("inbox"))
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))

        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "one score cell is =1+1: \(result.stderr)")
        // The section id names the XML file, encoded.
        #expect(try manager.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path) == ["\(Self.runID)_%3D1%2B1.xml"])

        let report = root.appendingPathComponent("reports/\(Self.runID).csv")
        let rows = try Self.readReport(report)
        let guards: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\n"]
        for row in rows {
            for (column, cell) in row {
                #expect(cell.first.map { !guards.contains($0) } ?? true, "\(column) starts a formula: \(cell.debugDescription)")
            }
        }
        func values(_ column: String) -> Set<String> { Set(rows.compactMap { $0[column] }.filter { !$0.isEmpty }) }
        #expect(values("course_sis_id") == ["'+1+1"])
        #expect(values("section_sis_id") == ["'=1+1"])
        #expect(values("assignment_name") == ["'=1+1", "'@SUM(1+1)", "'\n-1+1"])
        #expect(values("category_sourced_id") == ["'=HYPERLINK(\"http://example.invalid\",\"click\")", "'-SUM(1,1)"])
        #expect(values("student_sis_id") == ["'=2+2"])
        #expect(values("source_file") == ["'=2+3.gradebook.csv"])
        #expect(rows.filter { $0["status"] == "success" }.count == 3)
        #expect(rows.contains { $0["rule"] == "invalid-score" && $0["message"]?.hasPrefix("The score \"=1+1\"") == true })
        // Byte level: the guard sits inside the quotes of a quoted cell.
        let bytes = try String(decoding: Data(contentsOf: report), as: UTF8.self)
        #expect(bytes.contains(",\"'\n-1+1\",\"'-SUM(1,1)\","))
        #expect(bytes.contains(",\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\","))
    }

    /// Issue 12, item 8: the hidden formula course's report, as a spreadsheet would split it on
    /// `,` and on `;`: no cell, once its blanks are skipped, starts a formula, ASCII or fullwidth.
    @Test func formulasBehindBlanksFullwidthOrASemicolonReachNoCell() throws {
        let manager = FileManager.default
        let root = try CommandRunner.temporaryFolder("formula-hidden").appendingPathComponent("root")
        defer { try? manager.removeItem(at: root.deletingLastPathComponent()) }
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try manager.copyItem(at: Self.fixtures.appendingPathComponent("formula-course-hidden/inbox"), to: root.appendingPathComponent("inbox"))
        try CommandRunner.initWorkspace(root)
        try Data("settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n".utf8).write(to: root.appendingPathComponent("passback.toml"))
        let result = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(result.status == 1, "one score cell is =1+1: \(result.stderr)")

        let report = root.appendingPathComponent("reports/\(Self.runID).csv")
        let rows = try Self.readReport(report)
        func values(_ column: String) -> Set<String> { Set(rows.compactMap { $0[column] }.filter { !$0.isEmpty }) }
        #expect(values("assignment_name") == ["' =1+1", "Quiz;'=3+3", "'＋4+4"])
        #expect(values("category_sourced_id") == ["'=HYPERLINK(1)", "'－SUM(1)"])
        let starters: Set<Character> = ["=", "+", "-", "@", "\r", "\n", "＝", "＋", "－", "＠"]
        let blanks: Set<Character> = [" ", "\t", "\u{00A0}", "\u{200B}", "\u{FEFF}", "\u{3000}"]
        func startsFormula<S: StringProtocol>(_ text: S) -> Bool {
            text.first { !blanks.contains($0) }.map { starters.contains($0) } ?? false
        }
        // Split on ',' (the CSV as written): every cell.
        for row in rows {
            for (column, cell) in row {
                #expect(!startsFormula(cell), "\(column) starts a formula: \(cell.debugDescription)")
            }
        }
        // Split on ';' as a European spreadsheet would: a quote counts only at the start of a
        // cell, so every ';' of the file starts one.
        let text = String(decoding: try Data(contentsOf: report), as: UTF8.self)
        var pieces = 0
        for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            for piece in line.split(separator: ";", omittingEmptySubsequences: false) {
                pieces += 1
                let content = piece.first == "\"" ? piece.dropFirst() : piece[...]
                #expect(!startsFormula(content), "a ';' import makes a cell \(String(piece).debugDescription)")
            }
        }
        #expect(pieces > rows.count)
    }
}
