import ArgumentParser
import Foundation
import PassbackCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check files, or a folder such as an inbox, as a run would; nothing is claimed or sent.",
        discussion: """
            A folder is checked as a run checks its inbox: names, pairs and contents. One line per \
            problem (a problem repeated for many assignments is counted on one line); the last line \
            says ok only when a run would report no error. With --root and no files, checks the \
            workspace's inbox against its settings and stored categories.

            Exit status: 0 a run would report no error; 1 it would report errors; 2 a file is \
            missing, the workspace is not one, or the settings are bad.
            """
    )

    @Argument(help: "Files or folders: category exports, gradebooks (<stem>.gradebook.csv), bundle JSON (<stem>.canvas.json).")
    var files: [String] = []

    @Option(name: .long, help: "A workspace whose settings and stored categories to use (its inbox when no file is given).")
    var root: String?

    @Option(name: .long, help: "The clock for verification checks (ISO 8601).")
    var now: String?

    func validate() throws {
        if files.isEmpty, root == nil { throw ValidationError("name the files or folders to check, or a workspace with --root") }
    }

    func run() throws {
        var clock = Date()
        if let now {
            guard let parsed = ISOTimestamp.parse(now) else { throw failure(2, "--now '\(now)' is not an ISO 8601 timestamp") }
            clock = parsed
        }
        var settings = Settings()
        var stored = CategoryCatalog()
        var paths = files
        if let root {
            do {
                let workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
                settings = try Settings.load(root: workspace.root)
                if FileManager.default.fileExists(atPath: workspace.ledgerPath) {
                    stored = try Ledger(path: workspace.ledgerPath, readOnly: true).categoryCatalog()
                }
                if paths.isEmpty { paths = [workspace.root.appendingPathComponent("inbox").path] }
            } catch {
                throw failure(2, "\(error)")
            }
        }
        for file in paths where !FileManager.default.isReadableFile(atPath: file) {
            throw failure(2, "\(file): no such readable file or folder")
        }
        let report: ValidationReport
        do {
            report = ValidationReport(findings: try FileValidator(stages: .standard, settings: settings, now: clock).validate(paths: paths, storedCategories: stored))
        } catch {
            throw failure(2, "\(error)")
        }
        for line in report.lines { print(line) }
        guard report.errors == 0 else { throw failure(1, report.closingLine) }
        print(report.closingLine)
    }
}
