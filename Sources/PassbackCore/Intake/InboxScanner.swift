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
        let groups = InputGroups(settled)
        scan.categoryExports = groups.categoryExports
        scan.bundles = groups.bundles
        for file in groups.unknown {
            scan.rejected.append(Rejection(
                file: file, code: .unknownFile,
                message: "The name says neither what file this is nor which course it belongs to; name category exports *.categories.csv or *.categories.xml, and a course's two files <name>.gradebook.csv and <name>.canvas.json."
            ))
        }
        let waitingNames = Set(scan.waiting.map(\.relativePath))
        for (stem, half) in groups.halves {
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
            let renamed = Self.renameNamesThatAreNotUTF8(in: path)
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
                if type != S_IFDIR, renamed.contains(name) {
                    found.append((file, Self.notUTF8))
                    continue
                }
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

    static let notUTF8 = "Refused: the file's name is not UTF-8 text, so it was renamed with its other bytes written %XX. Give the file a plain name (letters, digits, '-', '_', '.') and drop it again."

    /// Renames the entries of `folder` whose names are not UTF-8 (a Latin-1 name from an old file
    /// server), which no Swift path can name: every byte of 0x80 and above becomes `%XX`, cut
    /// with a hash when too long, keeping the end that says what the file is. Without this they
    /// would never be claimed, quarantined or reported. Names that are never claimed (`.x`, `~$x`,
    /// `x.tmp`) are left alone. Returns the new names.
    static func renameNamesThatAreNotUTF8(in folder: String) -> Set<String> {
        guard let directory = opendir(folder) else { return [] }  // the listing then says why
        var odd: [[UInt8]] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if String(validating: bytes, as: UTF8.self) == nil { odd.append(bytes) }
        }
        closedir(directory)
        var renamed: Set<String> = []
        for bytes in odd {
            var name = ""
            for byte in bytes {
                if byte < 0x80 {
                    name.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    name += String(format: "%%%02X", byte)
                }
            }
            if name.utf8.count > 240 {
                name = String(name.prefix(180)) + "~" + Workspace.nameHash(bytes) + String(name.suffix(40))
            }
            if InputKind.isIgnored(name: name) { continue }
            var target = name
            var counter = 1
            while renamed.contains(target) || access(folder + "/" + target, F_OK) == 0 {
                counter += 1
                target = "\(counter)~" + name
            }
            let source = Array(folder.utf8) + [UInt8(ascii: "/")] + bytes + [0]
            let moved = source.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { Glibc.rename($0, folder + "/" + target) }
            }
            if moved == 0 { renamed.insert(target) }
        }
        return renamed
    }
}
