import Foundation

/// `passback validate`: checks files against the contract and the rules without claiming,
/// sending or recording anything.
///
/// Category exports are read and checked. A course bundle is checked when both its files are
/// given (or the partner lies beside the one given): its rules run against the categories given
/// on the same command line plus, with a workspace, those in its ledger. A gradebook or bundle
/// JSON alone is checked as a file.
public struct FileValidator {
    var stages: PipelineStages
    var settings: Settings
    var now: Date

    public init(stages: PipelineStages, settings: Settings, now: Date) {
        self.stages = stages
        self.settings = settings
        self.now = now
    }

    /// What was found, file by file.
    public struct Finding: Sendable, Equatable {
        public var file: String
        public var diagnostic: Diagnostic?
        /// A line for people when the file is fine (`ok: 12 categories for 4 sections`).
        public var note: String?
    }

    public func validate(paths: [String], storedCategories: CategoryCatalog = CategoryCatalog()) throws -> [Finding] {
        var findings: [Finding] = []
        var catalog = storedCategories
        var gradebooks: [String: String] = [:]
        var jsons: [String: String] = [:]
        for path in paths {
            switch InputKind(relativePath: path) {
            case .categoriesCSV, .categoriesXML:
                let reader = InputKind(relativePath: path) == .categoriesXML ? stages.categoryXMLReader : stages.categoryCSVReader
                let export = try Self.read(path, into: &findings, { try reader.read(fileAt: path) }) {
                    "\($0.categories.count) categories for \(Set($0.categories.map(\.classSourcedID)).count) sections"
                }
                if let export { catalog.replace(with: export.categories) }
            case .gradebook(let stem):
                gradebooks[stem] = path
                if jsons[stem] == nil, FileManager.default.fileExists(atPath: stem + ".canvas.json") { jsons[stem] = stem + ".canvas.json" }
            case .bundleJSON(let stem):
                jsons[stem] = path
                if gradebooks[stem] == nil, FileManager.default.fileExists(atPath: stem + ".gradebook.csv") { gradebooks[stem] = stem + ".gradebook.csv" }
            case .unknown:
                // A file of any name may be checked: guess its kind from the extension.
                if path.lowercased().hasSuffix(".json") {
                    jsons[path] = path
                } else if path.lowercased().hasSuffix(".csv") {
                    gradebooks[path] = path
                } else {
                    findings.append(Finding(file: path, diagnostic: .error(.unknownFile, "The name says neither what file this is nor which course it belongs to.", location: SourceLocation(file: path))))
                }
            }
        }
        let calendar = try settings.calendar()
        let checker = CourseChecker(rules: stages.rules, matcher: CategoryMatcher(catalog: catalog), settings: RuleSettings(settings, calendar: calendar, now: now))
        for stem in Set(gradebooks.keys).union(jsons.keys).sorted() {
            var gradebook: Gradebook?
            var bundle: CanvasBundle?
            if let path = gradebooks[stem] {
                gradebook = try Self.read(path, into: &findings, { try stages.gradebookReader.read(fileAt: path) }) {
                    "\($0.students.count) students, \($0.assignmentColumns.count) assignments"
                }
            }
            if let path = jsons[stem] {
                bundle = try Self.read(path, into: &findings, { try stages.bundleReader.read(fileAt: path) }) {
                    "course \($0.course.id), \($0.sections.count) sections, \($0.assignmentGroups.reduce(0) { $0 + $1.assignments.count }) assignments"
                }
            }
            if let gradebook, let bundle, let g = gradebooks[stem], let j = jsons[stem] {
                let grades = checker.check(bundle: bundle, gradebook: gradebook, sources: .init(stem: stem, gradebookFile: g, bundleFile: j))
                for d in grades.diagnostics + grades.sections.flatMap(\.diagnostics) {
                    findings.append(Finding(file: d.location?.file ?? j, diagnostic: d))
                }
                let items = grades.sections.reduce(0) { $0 + $1.lineItems.count }
                let results = grades.sections.reduce(0) { $0 + $1.lineItems.reduce(0) { $0 + $1.results.filter { $0.current != nil && $0.hold == .none }.count } }
                findings.append(Finding(file: j, note: "ok: \(items) line item(s) with \(results) grade(s) would be sent in bulk"))
            }
        }
        return findings
    }

    /// Reads the file at `path` with `read` and adds a finding either way: `ok: ` and what
    /// `note` says of what was read, or the reader's refusal.
    private static func read<Value>(_ path: String, into findings: inout [Finding], _ read: () throws -> Value, note: (Value) -> String) throws -> Value? {
        do {
            let value = try read()
            findings.append(Finding(file: path, note: "ok: " + note(value)))
            return value
        } catch let error as InputFileError {
            findings.append(Finding(file: path, diagnostic: .error(error.code, error.message, location: SourceLocation(file: path, line: error.line))))
            return nil
        }
    }
}
