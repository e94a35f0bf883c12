import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// The small parts of issue 13 that the binary's tests reach only through their outputs.
@Suite struct OperatorsTests {
    @Test(arguments: [
        ("Errors", SyncRequestStatus.errors), ("in-queue", .inQueue), ("IN_PROGRESS", .inProgress),
        ("  in   queue ", .inQueue), ("Cancelled", .cancelled), ("success", .success),
    ])
    func statusesAsPeopleTypeThem(text: String, status: SyncRequestStatus) {
        #expect(SyncRequestStatus(loosely: text) == status)
    }

    @Test func statusesThatAreNone() {
        for text in ["", "error", "inqueue", "in queue s", "-"] {
            #expect(SyncRequestStatus(loosely: text) == nil, "\(text)")
        }
    }

    /// Modes by who may do what: never a bit for others.
    @Test func workspaceModes() {
        #expect(WorkspaceLayout.mode(of: .groupDrop, shared: true) == 0o3770)
        #expect(WorkspaceLayout.mode(of: .groupRead, shared: true) == 0o2750)
        #expect(WorkspaceLayout.mode(of: .owner, shared: true) == 0o700)
        for access in [WorkspaceLayout.Access.owner, .groupDrop, .groupRead] {
            #expect(WorkspaceLayout.mode(of: access, shared: false) == 0o700)
        }
        #expect(WorkspaceLayout.fileMode(inFolderOfMode: 0o2750) == 0o640)
        #expect(WorkspaceLayout.fileMode(inFolderOfMode: 0o700) == 0o600)
        #expect(WorkspaceLayout.fileMode(inFolderOfMode: 0o777) == 0o640, "never readable by others, whatever the folder")
        #expect(WorkspaceLayout.folderMode(0o700, inFolderOfMode: 0o2750) == 0o2750)
        #expect(WorkspaceLayout.folderMode(0o770, inFolderOfMode: 0o3770) == 0o2770)
        #expect(WorkspaceLayout.folderMode(0o700, inFolderOfMode: 0o700) == 0o700)
        #expect(WorkspaceLayout.folderMode(0o700, inFolderOfMode: 0o777) == 0o750)
    }

    /// A run under `umask 077` still gives a quarantine folder and its reason the group's read
    /// access that `quarantine/` grants.
    @Test func foldersAndNotesTheProjectMakesFollowTheirParent() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("modes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(chmod(base.path, 0o2750) == 0)
        let old = umask(0o077)
        defer { umask(old) }
        let top = try FolderHandle.open(base.path)
        let run = try top.folder("20251001T090000Z-01/district", create: true)
        try InputMover.writeNote(Array("why\n".utf8), named: "x.reason.txt", in: run)
        var info = stat()
        #expect(stat(base.appendingPathComponent("20251001T090000Z-01").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o2750)
        #expect(stat(base.appendingPathComponent("20251001T090000Z-01/district/x.reason.txt").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        // A report (DurableFile) in such a folder, too.
        let report = try ReportWriter(path: base.appendingPathComponent("R1.csv").path)
        try report.finish()
        #expect(stat(base.appendingPathComponent("R1.csv").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        // A folder that grants the group nothing: private.
        #expect(chmod(base.path, 0o700) == 0)
        let closed = try top.folder("private", create: true)
        try InputMover.writeNote(Array("why\n".utf8), named: "y.reason.txt", in: closed)
        #expect(stat(base.appendingPathComponent("private/y.reason.txt").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
    }

    @Test func hookSettings() throws {
        let settings = try Settings.parse("[hooks]\nafter_run = [\"/usr/local/bin/upload\", \"--to\", \"aspire\"]\nafter_run_timeout_seconds = 600\n")
        #expect(settings.hooks.afterRun == ["/usr/local/bin/upload", "--to", "aspire"])
        #expect(settings.hooks.afterRunTimeoutSeconds == 600)
        #expect(try Settings.parse("").hooks.afterRun.isEmpty)
        #expect(
            throws: SettingsError("passback.toml: hooks.after_run must be a list of strings, the program first: [\"/usr/local/bin/upload\", \"--to\", \"aspire\"] (no shell line)")
        ) {
            try Settings.parse("[hooks]\nafter_run = []\n")
        }
        #expect(throws: SettingsError("passback.toml: hooks.after_run_timeout_seconds must be a whole number from 1 to 86400")) {
            try Settings.parse("[hooks]\nafter_run = [\"/bin/true\"]\nafter_run_timeout_seconds = 0\n")
        }
        #expect(throws: SettingsError("passback.toml: hooks must be a table: [hooks] on a line of its own, then after_run = [\"/path/to/program\", \"argument\"]")) {
            try Settings.parse("hooks = \"/bin/true\"\n")
        }
    }

    @Test func sizesForPeople() {
        #expect(PruneReport.size(999) == "999 bytes")
        #expect(PruneReport.size(53_012_480) == "53.0 MB (53,012,480 bytes)")
        #expect(PruneReport.size(2_950_000_000) == "3.0 GB (2,950,000,000 bytes)")
        #expect(grouped(-1_234_567) == "-1,234,567")
    }

    /// One line per problem: the same problem for several assignments is counted; different
    /// problems stay apart; `ok` only without errors.
    @Test func validationReportCountsRepeatsAndSaysOKOnlyWithoutErrors() {
        func finding(_ assignment: String, _ message: String = "No categories for S1.", severity: Diagnostic.Severity = .error) -> FileValidator.Finding {
            FileValidator.Finding(
                file: "c.canvas.json",
                diagnostic: Diagnostic(
                    severity, .categoryNotFound, message, subject: ReportSubject(sectionSISID: "S1", canvasAssignmentID: assignment),
                    location: SourceLocation(file: "c.canvas.json")))
        }
        let report = ValidationReport(findings: (1...7).map { finding("10\($0)") } + [finding("200", "Another.")])
        #expect(
            report.lines == [
                "c.canvas.json: error category-not-found section S1: No categories for S1. (7 times: assignments 101, 102, 103, 104, 105 and 2 more)",
                "c.canvas.json: error category-not-found assignment 200 section S1: Another.",
            ])
        #expect(report.errors == 8)
        #expect(report.closingLine == "8 error(s) in 1 file(s); a run would report them")
        let fine = ValidationReport(findings: [finding("1", severity: .warning), FileValidator.Finding(file: "c.canvas.json", note: "read: course 1")])
        #expect(fine.closingLine == "ok: 1 file(s) checked; a run would report no error (1 warning(s))")
    }
}
