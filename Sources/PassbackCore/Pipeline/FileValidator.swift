import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `passback validate`: checks files, or a folder such as an inbox before the night, as a run
/// would, without claiming, sending, recording or changing anything.
///
/// A folder is walked as a run lists its inbox (``InboxWalk``): ignored names are left out, and
/// every name a run would quarantine is a finding with the run's own reason (a name that says
/// nothing, half a bundle, a link or a pipe). Files given by name are taken by the same naming
/// rules; a bundle's partner lying beside the one given is checked with it. Category exports are
/// read first, oldest first as a run imports them, and a course bundle is checked against them
/// plus, with a workspace, those in its ledger. ``ValidationReport`` says `ok` only when a run
/// would report no error.
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
        /// A line for people about what was read (`read: 12 categories for 4 sections`).
        public var note: String?
    }

    /// Checks `paths`: files, and folders walked as an inbox.
    public func validate(paths: [String], storedCategories: CategoryCatalog = CategoryCatalog()) throws -> [Finding] {
        var findings: [Finding] = []
        var files: [InboxFile] = []
        for path in paths {
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                let walk = try InboxWalk(folder: path)
                findings += walk.refused.map { Finding(file: $0.path, diagnostic: .error(.unknownFile, $0.reason, location: SourceLocation(file: $0.path))) }
                files += walk.files
            } else {
                var named = [path]
                // A bundle's partner beside the file given is checked with it.
                if let partner = Self.partner(of: path), !paths.contains(partner), lstat(partner, &info) == 0 { named.append(partner) }
                for namedPath in named {
                    switch try Self.examine(named: namedPath) {
                    case .success(let file): files.append(file)
                    case .failure(let refusal):
                        findings.append(Finding(file: namedPath, diagnostic: .error(.unknownFile, refusal.reason, location: SourceLocation(file: namedPath))))
                    }
                }
            }
        }
        let groups = InputGroups(Array(Set(files)))
        for file in groups.unknown {
            findings.append(Finding(file: file.relativePath, diagnostic: .error(.unknownFile, InboxScanner.unknownNameMessage, location: SourceLocation(file: file.relativePath))))
        }
        for (stem, half) in groups.halves {
            let partner = Self.partner(of: half.relativePath) ?? stem
            let message =
                "Half a course bundle: \((partner as NSString).lastPathComponent) is missing. A run waits up to \(settings.incompleteBundleWaitHours) hours for it, then quarantines this file; drop both files of the course together."
            findings.append(Finding(file: half.relativePath, diagnostic: .error(.incompleteBundle, message, location: SourceLocation(file: half.relativePath))))
        }

        // Category exports first, oldest first (then by name), as a run imports them.
        var catalog = storedCategories
        for file in groups.categoryExports.sorted(by: { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }) {
            let path = file.relativePath
            let reader = InputKind(relativePath: path) == .categoriesXML ? stages.categoryXMLReader : stages.categoryCSVReader
            let export = try Self.read(path, into: &findings, { try reader.read(fileAt: path) }) {
                "\($0.categories.count) categories for \(Set($0.categories.map(\.classSourcedID)).count) sections"
            }
            if let export { catalog.replace(with: export.categories) }
        }
        let calendar = try settings.calendar()
        let checker = CourseChecker(rules: stages.rules, matcher: CategoryMatcher(catalog: catalog), settings: RuleSettings(settings, calendar: calendar, now: now))
        for bundle in groups.bundles {
            let g = bundle.gradebook.relativePath
            let j = bundle.json.relativePath
            let gradebook = try Self.read(g, into: &findings, { try stages.gradebookReader.read(fileAt: g) }) {
                "\($0.students.count) students, \($0.assignmentColumns.count) assignments"
            }
            let canvas = try Self.read(j, into: &findings, { try stages.bundleReader.read(fileAt: j) }) {
                "course \($0.course.id), \($0.sections.count) sections, \($0.assignmentGroups.reduce(0) { $0 + $1.assignments.count }) assignments"
            }
            guard let gradebook, let canvas else { continue }
            let grades = checker.check(bundle: canvas, gradebook: gradebook, sources: .init(stem: bundle.stem, gradebookFile: g, bundleFile: j))
            for d in grades.diagnostics + grades.sections.flatMap(\.diagnostics) {
                findings.append(Finding(file: d.location?.file ?? j, diagnostic: d))
            }
            let items = grades.sections.reduce(0) { $0 + $1.lineItems.count }
            let results = grades.sections.reduce(0) { $0 + $1.lineItems.reduce(0) { $0 + $1.results.filter { $0.current != nil && $0.hold == .none }.count } }
            findings.append(Finding(file: j, note: "checked: \(items) line item(s) with \(results) grade(s) would be sent in bulk"))
        }
        return findings
    }

    /// Why a run would not read a file, as a value.
    struct Refusal: Error {
        var reason: String
    }

    /// A file named on the command line, examined as a run examines an inbox entry
    /// (``InputMover/refusal(of:in:)``): opened in its folder with `O_NOFOLLOW | O_NONBLOCK` and
    /// `fstat`ed, so a link (to `/etc/shadow`, read as root) is not followed and a pipe does not
    /// hang `validate inbox/*`; anything but a regular file with one link is refused with the
    /// run's own reason.
    static func examine(named path: String) throws -> Result<InboxFile, Refusal> {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let folder = try FolderHandle.open(parent.isEmpty ? "." : parent)
        if let reason = InputMover.refusal(of: name, in: folder) { return .failure(Refusal(reason: reason)) }
        guard let info = folder.entry(name) else { return .failure(Refusal(reason: "Refused: the file cannot be examined.")) }
        return .success(InboxFile(relativePath: path, size: Int64(info.st_size), modified: info.modificationDate))
    }

    /// The other file of a bundle (`x.canvas.json` for `x.gradebook.csv`), `nil` for other names.
    static func partner(of path: String) -> String? {
        switch InputKind(relativePath: path) {
        case .gradebook(let stem): stem + ".canvas.json"
        case .bundleJSON(let stem): stem + ".gradebook.csv"
        default: nil
        }
    }

    /// Reads the file at `path` with `read` and adds a finding either way: `read: ` and what
    /// `note` says of what was read, or the reader's refusal.
    private static func read<Value>(_ path: String, into findings: inout [Finding], _ read: () throws -> Value, note: (Value) -> String) throws -> Value? {
        do {
            let value = try read()
            findings.append(Finding(file: path, note: "read: " + note(value)))
            return value
        } catch let error as InputFileError {
            findings.append(Finding(file: path, diagnostic: .error(error.code, error.message, location: SourceLocation(file: path, line: error.line))))
            return nil
        }
    }
}
