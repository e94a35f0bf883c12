import Foundation

/// A file found in the inbox, named by its path relative to the inbox (`district/course-1.gradebook.csv`).
struct InboxFile: Sendable, Hashable {
    var relativePath: String
    var size: Int64
    var modified: Date

    init(relativePath: String, size: Int64, modified: Date) {
        self.relativePath = relativePath
        self.size = size
        self.modified = modified
    }

    /// The file's name without folders.
    var name: String { (relativePath as NSString).lastPathComponent }
}

/// What a dropped file is, by its name (spec sections 2 and 6).
enum InputKind: Sendable, Equatable {
    case categoriesCSV
    case categoriesXML
    /// `<stem>.gradebook.csv`; the stem keeps the folder so bundles pair within a folder.
    case gradebook(stem: String)
    /// `<stem>.canvas.json`.
    case bundleJSON(stem: String)
    case unknown

    /// Classifies a relative path; suffixes are matched case-insensitively.
    init(relativePath: String) {
        let lower = relativePath.lowercased()
        func stem(_ suffix: String) -> String { String(relativePath.dropLast(suffix.count)) }
        if lower.hasSuffix(".categories.csv") {
            self = .categoriesCSV
        } else if lower.hasSuffix(".categories.xml") {
            self = .categoriesXML
        } else if lower.hasSuffix(".gradebook.csv"), lower.count > ".gradebook.csv".count {
            self = .gradebook(stem: stem(".gradebook.csv"))
        } else if lower.hasSuffix(".canvas.json"), lower.count > ".canvas.json".count {
            self = .bundleJSON(stem: stem(".canvas.json"))
        } else {
            self = .unknown
        }
    }

    /// Names that are never claimed: hidden files, Office lock files, partial downloads.
    static func isIgnored(name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || name.hasPrefix("~$") || lower.hasSuffix(".tmp") || lower.hasSuffix(".part") || lower.hasSuffix(".crdownload")
    }
}

/// Files sorted by what their names say: category exports, course bundles (a gradebook and a
/// bundle JSON of the same stem), halves of bundles, and names that are none of these. Both the
/// inbox scan and a run's work folder are read this way.
struct InputGroups: Sendable {
    var categoryExports: [InboxFile] = []
    /// Complete bundles, by stem.
    var bundles: [InboxScanner.Bundle] = []
    /// Gradebooks or bundle JSON files whose partner is not among the files, by stem.
    var halves: [(stem: String, file: InboxFile)] = []
    var unknown: [InboxFile] = []

    init(_ files: [InboxFile]) {
        var gradebooks: [String: InboxFile] = [:]
        var jsons: [String: InboxFile] = [:]
        for file in files {
            switch InputKind(relativePath: file.relativePath) {
            case .categoriesCSV, .categoriesXML: categoryExports.append(file)
            case .gradebook(let stem): gradebooks[stem] = file
            case .bundleJSON(let stem): jsons[stem] = file
            case .unknown: unknown.append(file)
            }
        }
        for stem in Set(gradebooks.keys).union(jsons.keys).sorted() {
            if let g = gradebooks[stem], let j = jsons[stem] {
                bundles.append(InboxScanner.Bundle(stem: stem, gradebook: g, json: j))
            } else if let half = gradebooks[stem] ?? jsons[stem] {
                halves.append((stem, half))
            }
        }
    }
}
