import ArgumentParser
import Foundation
import PassbackCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check files against the contract and the passback rules; nothing is claimed or sent.",
        discussion: "Exit status: 0 no errors; 1 errors found; 2 a file is missing or the settings are bad."
    )

    @Argument(help: "Category exports, gradebooks (<stem>.gradebook.csv) and bundle JSON (<stem>.canvas.json).")
    var files: [String]

    @Option(name: .long, help: "A workspace whose settings and stored categories to use.")
    var root: String?

    @Option(name: .long, help: "The clock for verification checks (ISO 8601).")
    var now: String?

    func run() throws {
        var clock = Date()
        if let now {
            guard let parsed = ISOTimestamp.parse(now) else { fail(2, "--now '\(now)' is not an ISO 8601 timestamp") }
            clock = parsed
        }
        for file in files where !FileManager.default.isReadableFile(atPath: file) {
            fail(2, "\(file): no such readable file")
        }
        var settings = Settings()
        var stored = CategoryCatalog()
        if let root {
            let workspace = Workspace(root: URL(fileURLWithPath: root))
            do {
                settings = try Settings.load(root: workspace.root)
                if FileManager.default.fileExists(atPath: workspace.ledgerPath) {
                    stored = try Ledger(path: workspace.ledgerPath, readOnly: true).categoryCatalog()
                }
            } catch {
                fail(2, "\(error)")
            }
        }
        let findings: [FileValidator.Finding]
        do {
            findings = try FileValidator(stages: .standard, settings: settings, now: clock).validate(paths: files, storedCategories: stored)
        } catch {
            fail(2, "\(error)")
        }
        var errors = 0
        for finding in findings {
            if let d = finding.diagnostic {
                if d.severity == .error { errors += 1 }
                let place = d.location.map { $0.file + ($0.line.map { ":\($0)" } ?? "") } ?? finding.file
                var about = ""
                if let a = d.subject.canvasAssignmentID { about += " assignment \(a)" }
                if let s = d.subject.sectionSISID { about += " section \(s)" }
                print("\(place): \(d.severity.rawValue) \(d.code)\(about): \(d.message)")
            } else if let note = finding.note {
                print("\(finding.file): \(note)")
            }
        }
        if errors > 0 { fail(1, "\(errors) error(s) found") }
    }
}
