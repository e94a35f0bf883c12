import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `validate` agrees with `run` (issue 13): version 1 said `ok` for half a bundle and for a name
/// that `run` rejects, and printed one message 22 times when no categories were known, still
/// ending in `ok`.
@Suite struct ValidateFolderTests {
    static let clock = "2025-10-01T09:00:00Z"
    static var samples: URL { CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox") }

    /// The error findings of a validate's output, one per problem line.
    func errorLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.contains(": error ") }
    }

    /// A folder before the night: what a run would reject and report, line by line, and the same
    /// number of errors as the run then reports.
    @Test func anInboxIsCheckedAsARunWouldAndCountsTheRunsErrors() throws {
        let result = try CommandRunner.run(["validate", Self.samples.path, "--now", Self.clock])
        #expect(result.status == 1)
        let inbox = Self.samples.path
        #expect(result.stdout.contains("\(inbox)/notes for the registrar.txt: error unknown-file: The name says neither what file this is nor which course it belongs to;"))
        #expect(
            result.stdout.contains(
                "\(inbox)/chemistry.gradebook.csv: error incomplete-bundle: Half a course bundle: chemistry.canvas.json is missing. A run waits up to 24 hours for it, then quarantines this file; drop both files of the course together.\n"
            ))
        #expect(result.stdout.contains("\(inbox)/aspire-702-Q2.categories.csv:3: error malformed-file: termStartDate '11/03/2025' is not a date; write it as YYYY-MM-DD.\n"))
        #expect(!result.stdout.contains("\nok"), "\(result.stdout)")
        #expect(result.stderr == "passback: 24 error(s) in 6 file(s); a run would report them\n")

        // The run on the same files reports as many errors.
        let root = try CommandRunner.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let run = try CommandRunner.run(["run", "--root", root.path, "--now", Self.clock])
        #expect(run.stdout.contains("; 24 error(s), 3 warning(s); "), "\(run.stdout)")
    }

    @Test func halfABundleAndANameRunRejectsAreNotOK() throws {
        let half = try CommandRunner.run(["validate", Self.samples.appendingPathComponent("chemistry.gradebook.csv").path])
        #expect(half.status == 1)
        #expect(errorLines(half.stdout).count == 1)
        #expect(half.stdout.contains("error incomplete-bundle: Half a course bundle: chemistry.canvas.json is missing."))
        #expect(half.stderr == "passback: 1 error(s) in 1 file(s); a run would report them\n")

        let folder = try CommandRunner.temporaryFolder("names")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A gradebook saved under a name a run does not know: version 1 guessed it from `.csv`.
        let odd = folder.appendingPathComponent("algebra export.csv")
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("biology.gradebook.csv"), to: odd)
        let named = try CommandRunner.run(["validate", odd.path])
        #expect(named.status == 1)
        #expect(
            named.stdout
                == "\(odd.path): error unknown-file: The name says neither what file this is nor which course it belongs to; name category exports *.categories.csv or *.categories.xml, and a course's two files <name>.gradebook.csv and <name>.canvas.json.\n"
        )
        // Links and hidden files, as a run sees them.
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("linked.canvas.json").path, withDestinationPath: "/etc/passwd")
        try Data("x".utf8).write(to: folder.appendingPathComponent(".~lock.algebra.csv#"))
        let listed = try CommandRunner.run(["validate", folder.path])
        #expect(listed.status == 1)
        #expect(listed.stdout.contains("\(folder.path)/linked.canvas.json: error unknown-file: Refused: a symbolic link is not read from the inbox; copy the file itself in.\n"))
        #expect(!listed.stdout.contains(".~lock"), "a name a run never claims is not a finding")
    }

    /// The same problem for eleven assignments is one line with a count, not eleven lines.
    @Test func repeatedFindingsAreCountedNotRepeated() throws {
        let result = try CommandRunner.run(["validate", Self.samples.appendingPathComponent("algebra-1.gradebook.csv").path, "--now", Self.clock])
        #expect(result.status == 1)
        let notFound = result.stdout.split(separator: "\n").filter { $0.contains("category-not-found") }
        #expect(notFound.count == 2, "\(notFound)")
        #expect(
            notFound.first?.hasSuffix("drop the Aspire category export for this section into the inbox. (11 times: assignments 1001, 1002, 1010, 1011, 1012 and 6 more)") == true,
            "\(notFound)")
        #expect(notFound.first?.contains(": error category-not-found section MST0000007Xy12: ") == true)
        // Every line is a different problem.
        let problems = result.stdout.split(separator: "\n")
        #expect(Set(problems).count == problems.count)
    }

    @Test func okOnlyWhenARunWouldReportNoError() throws {
        let result = try CommandRunner.run([
            "validate", Self.samples.appendingPathComponent("biology.gradebook.csv").path,
            Self.samples.appendingPathComponent("aspire-702-Q1-science.categories.xml").path, "--now", Self.clock,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix("\nok: 3 file(s) checked; a run would report no error\n"), "\(result.stdout)")
        #expect(result.stderr.isEmpty)
        // With a workspace and no file: its inbox, its settings, its stored categories.
        let root = try CommandRunner.temporaryFolder("validate-root").appendingPathComponent("root")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try CommandRunner.initWorkspace(root)
        let empty = try CommandRunner.run(["validate", "--root", root.path])
        #expect(empty.status == 0)
        #expect(empty.stdout == "ok: 0 file(s) checked; a run would report no error\n")
        let none = try CommandRunner.run(["validate"])
        #expect(none.status == 2)
        #expect(none.stderr == "passback: name the files or folders to check, or a workspace with --root\n")
    }

    /// Files named on the command line are opened as a run opens an inbox entry: version 2 hung
    /// for ever on a registrar's pipe (`validate inbox/*`) and followed a link to whatever it
    /// pointed at, read as the user running validate (root: `/etc/shadow`).
    @Test func namedLinksPipesAndHardLinksAreRefusedWithTheRunsReason() throws {
        let folder = try CommandRunner.temporaryFolder("named")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe.gradebook.csv").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let secret = folder.appendingPathComponent("secret.txt")
        try Data("termStartDate,not-for-registrars\n".utf8).write(to: secret)
        let linked = folder.appendingPathComponent("shadow.categories.csv").path
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: secret.path)
        let copy = folder.appendingPathComponent("copy.categories.csv").path
        try FileManager.default.copyItem(atPath: Self.samples.appendingPathComponent("aspire-702-Q1.categories.csv").path, toPath: copy)
        let hard = folder.appendingPathComponent("hard.categories.csv").path
        #expect(link(copy, hard) == 0)

        let expected = [
            pipe: "Refused: not a regular file (a pipe, socket or device); drop plain files only.",
            linked: "Refused: a symbolic link is not read from the inbox; copy the file itself in.",
            hard: "Refused: the file has 2 hard links, so someone else can still change it; copy it into the inbox instead of linking it.",
        ]
        for (path, reason) in expected {
            let result = try CommandRunner.run(["validate", path], killAfter: 60)
            #expect(result.signal == nil, "validate \(path) did not finish")
            #expect(result.status == 1, "\(path): \(result.stdout)\(result.stderr)")
            #expect(result.stdout == "\(path): error unknown-file: \(reason)\n", "\(result.stdout)")
            #expect(result.stderr == "passback: 1 error(s) in 1 file(s); a run would report them\n")
        }
        // All at once, as a shell expands inbox/*: the same refusals, nothing read through them.
        let all = try CommandRunner.run(["validate"] + expected.keys.sorted(), killAfter: 60)
        #expect(all.signal == nil)
        #expect(all.status == 1)
        #expect(errorLines(all.stdout).count == 3, "\(all.stdout)")
        #expect(!all.stdout.contains("not-for-registrars") && !all.stdout.contains("termStartDate"), "\(all.stdout)")
        // The bundle's partner beside a named file is examined the same way.
        let json = folder.appendingPathComponent("pipe.canvas.json").path
        try FileManager.default.createSymbolicLink(atPath: json, withDestinationPath: secret.path)
        let partner = try CommandRunner.run(["validate", copy, json], killAfter: 60)
        #expect(partner.signal == nil)
        #expect(partner.stdout.contains("\(json): error unknown-file: \(expected[linked]!)\n"), "\(partner.stdout)")
        #expect(partner.stdout.contains("\(pipe): error unknown-file: \(expected[pipe]!)\n"), "\(partner.stdout)")
    }
}
