import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The intake stage's first half: lists the inbox and decides what this run claims.
///
/// A file is claimed once its modification time is older than the settle time (it has stopped
/// changing); ignored names are never claimed; the two files of a bundle are claimed together,
/// and half a bundle waits until the incomplete-bundle wait is over, then goes to quarantine.
/// Anything that is not a plain regular file with one link (symlinks, FIFOs, devices, hard links)
/// is refused.
public struct InboxScanner: Sendable {
    public var settleTime: TimeInterval
    public var incompleteBundleWait: TimeInterval

    public init(settleTime: TimeInterval, incompleteBundleWait: TimeInterval) {
        self.settleTime = settleTime
        self.incompleteBundleWait = incompleteBundleWait
    }

    /// What the scan found.
    public struct Scan: Sendable, Equatable {
        public var categoryExports: [InboxFile] = []
        public var bundles: [Bundle] = []
        /// Files to quarantine now, with the reason.
        public var rejected: [Rejection] = []
        /// Files left in the inbox for a later run (still changing, or waiting for a partner).
        public var waiting: [InboxFile] = []

        public var isEmpty: Bool { categoryExports.isEmpty && bundles.isEmpty && rejected.isEmpty }
    }

    public struct Bundle: Sendable, Equatable {
        public var stem: String
        public var gradebook: InboxFile
        public var json: InboxFile
    }

    public struct Rejection: Sendable, Equatable {
        public var file: InboxFile
        public var code: RuleCode
        public var message: String
    }

    /// Lists `inbox` (recursively, hidden folders skipped) at wall-clock time `now`.
    public func scan(inbox: URL, now: Date) throws -> Scan {
        var scan = Scan()
        var settled: [InboxFile] = []
        for (file, problem) in try list(inbox) {
            if let problem {
                scan.rejected.append(Rejection(file: file, code: .unknownFile, message: problem))
            } else if now.timeIntervalSince(file.modified) >= settleTime {
                settled.append(file)
            } else {
                scan.waiting.append(file)
            }
        }
        var gradebooks: [String: InboxFile] = [:]
        var jsons: [String: InboxFile] = [:]
        for file in settled {
            switch InputKind(relativePath: file.relativePath) {
            case .categoriesCSV, .categoriesXML:
                scan.categoryExports.append(file)
            case .gradebook(let stem):
                gradebooks[stem] = file
            case .bundleJSON(let stem):
                jsons[stem] = file
            case .unknown:
                scan.rejected.append(Rejection(
                    file: file, code: .unknownFile,
                    message: "The name says neither what file this is nor which course it belongs to; name category exports *.categories.csv or *.categories.xml, and a course's two files <name>.gradebook.csv and <name>.canvas.json."
                ))
            }
        }
        let waitingNames = Set(scan.waiting.map(\.relativePath))
        for stem in Set(gradebooks.keys).union(jsons.keys).sorted() {
            switch (gradebooks[stem], jsons[stem]) {
            case (let g?, let j?):
                scan.bundles.append(Bundle(stem: stem, gradebook: g, json: j))
            case (let half?, nil), (nil, let half?):
                let partner = half.relativePath.lowercased().hasSuffix(".gradebook.csv") ? stem + ".canvas.json" : stem + ".gradebook.csv"
                if waitingNames.contains(partner) || now.timeIntervalSince(half.modified) < incompleteBundleWait {
                    scan.waiting.append(half)
                } else {
                    let hours = Int(incompleteBundleWait / 3600)
                    scan.rejected.append(Rejection(
                        file: half, code: .incompleteBundle,
                        message: "Half a course bundle: \((partner as NSString).lastPathComponent) did not arrive within \(hours) hours. Drop both files of the course together."
                    ))
                }
            case (nil, nil):
                break
            }
        }
        scan.categoryExports.sort { $0.relativePath < $1.relativePath }
        scan.rejected.sort { $0.file.relativePath < $1.file.relativePath }
        scan.waiting.sort { $0.relativePath < $1.relativePath }
        return scan
    }

    /// Every candidate file below `inbox`, with a refusal reason for what must not be read.
    private func list(_ inbox: URL) throws -> [(InboxFile, String?)] {
        var found: [(InboxFile, String?)] = []
        var folders = [""]
        while let folder = folders.popLast() {
            let path = folder.isEmpty ? inbox.path : inbox.path + "/" + folder
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw FileSystemError("cannot list \(path): \(error.localizedDescription)")
            }
            for name in names.sorted() {
                if InputKind.isIgnored(name: name) { continue }
                let relative = folder.isEmpty ? name : folder + "/" + name
                var info = stat()
                guard lstat(inbox.path + "/" + relative, &info) == 0 else { continue }  // vanished
                let type = info.st_mode & S_IFMT
                let file = InboxFile(
                    relativePath: relative, size: Int64(info.st_size),
                    modified: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
                )
                switch type {
                case S_IFDIR:
                    folders.append(relative)
                case S_IFREG where info.st_nlink > 1:
                    found.append((file, "Refused: the file has \(info.st_nlink) hard links, so someone else can still change it; copy it into the inbox instead of linking it."))
                case S_IFREG:
                    found.append((file, nil))
                case S_IFLNK:
                    found.append((file, "Refused: a symbolic link is not read from the inbox; copy the file itself in."))
                default:
                    found.append((file, "Refused: not a regular file (a pipe, socket or device); drop plain files only."))
                }
            }
        }
        return found.sorted { $0.0.relativePath < $1.0.relativePath }
    }
}
