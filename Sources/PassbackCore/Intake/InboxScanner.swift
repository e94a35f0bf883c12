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
/// is refused, and a settled file larger than the limit is refused unread (`too-large`).
///
/// A file dated in the future (a copy that kept a wrong clock's time, `touch -d`) would never
/// settle by its modification time: its settle time is measured from its status-change time
/// instead, which the kernel sets to the real time of every write, rename and `touch`, and it is
/// named in ``Scan/futureDated`` for a warning.
struct InboxScanner: Sendable {
    var settleTime: TimeInterval
    var incompleteBundleWait: TimeInterval
    /// Files larger than this are quarantined unread (`max_input_bytes`).
    var maximumInputBytes: Int64

    init(settleTime: TimeInterval, incompleteBundleWait: TimeInterval, maximumInputBytes: Int64 = .max) {
        self.settleTime = settleTime
        self.incompleteBundleWait = incompleteBundleWait
        self.maximumInputBytes = maximumInputBytes
    }

    /// How far ahead of the run's wall clock a modification time may be before it counts as in
    /// the future (file servers' clocks drift).
    static let futureTolerance: TimeInterval = 300

    /// What the scan found.
    struct Scan: Sendable, Equatable {
        var categoryExports: [InboxFile] = []
        var bundles: [Bundle] = []
        /// Files to quarantine now, with the reason.
        var rejected: [Rejection] = []
        /// Files left in the inbox for a later run (still changing, or waiting for a partner).
        var waiting: [InboxFile] = []
        /// Subfolders of the inbox that could not be listed (no permission): skipped, named in
        /// a warning; the rest of the inbox is claimed as usual.
        var unreadableFolders: [String] = []
        /// Files whose modification time is in the future: settled by their status-change time,
        /// named in a warning.
        var futureDated: [InboxFile] = []

        var isEmpty: Bool { categoryExports.isEmpty && bundles.isEmpty && rejected.isEmpty }
    }

    struct Bundle: Sendable, Hashable {
        var stem: String
        var gradebook: InboxFile
        var json: InboxFile
    }

    struct Rejection: Sendable, Equatable {
        var file: InboxFile
        var code: RuleCode
        var message: String
    }

    /// Lists `inbox` (recursively, hidden folders skipped) at wall-clock time `now`.
    func scan(inbox: URL, now: Date) throws -> Scan {
        var scan = Scan()
        var settled: [InboxFile] = []
        let listing = try list(inbox)
        scan.unreadableFolders = listing.unreadable
        var lastChange: [String: Date] = [:]
        for (file, problem, changed) in listing.files {
            var last = file.modified
            if file.modified > now.addingTimeInterval(Self.futureTolerance) {
                scan.futureDated.append(file)
                last = changed
            }
            lastChange[file.relativePath] = last
            if let problem {
                scan.rejected.append(Rejection(file: file, code: .unknownFile, message: problem))
            } else if now.timeIntervalSince(last) < settleTime {
                scan.waiting.append(file)
            } else if file.size > maximumInputBytes {
                scan.rejected.append(
                    Rejection(
                        file: file, code: .tooLarge,
                        message:
                            "The file has \(file.size) bytes, more than max_input_bytes (\(maximumInputBytes)) allows; it was not read. Split the course's export, or raise max_input_bytes in passback.toml if the server has the memory (a large course needs about 30 bytes per grade cell: about 225 MB for a 40 MB gradebook)."
                    ))
            } else {
                settled.append(file)
            }
        }
        let groups = InputGroups(settled)
        scan.categoryExports = groups.categoryExports
        scan.bundles = groups.bundles
        for file in groups.unknown {
            scan.rejected.append(Rejection(file: file, code: .unknownFile, message: Self.unknownNameMessage))
        }
        let waitingNames = Set(scan.waiting.map(\.relativePath))
        let rejectedNames = Set(scan.rejected.map(\.file.relativePath))
        for (stem, half) in groups.halves {
            let partner = half.relativePath.lowercased().hasSuffix(".gradebook.csv") ? stem + ".canvas.json" : stem + ".gradebook.csv"
            if rejectedNames.contains(partner) {
                // It did arrive, and was refused: say so, and do not wait for it.
                scan.rejected.append(
                    Rejection(
                        file: half, code: .incompleteBundle,
                        message:
                            "Held with its partner: \((partner as NSString).lastPathComponent) was refused (its reason is beside it). Fix that file and drop both files of the course together."
                    ))
            } else if waitingNames.contains(partner) || now.timeIntervalSince(lastChange[half.relativePath] ?? half.modified) < incompleteBundleWait {
                scan.waiting.append(half)
            } else {
                let hours = Int(incompleteBundleWait / 3600)
                scan.rejected.append(
                    Rejection(
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

    /// Every candidate file below `inbox`, with a refusal reason for what must not be read, and
    /// the subfolders that could not be listed.
    ///
    /// Walked through held folders (``FolderHandle``): a subfolder is entered by `openat` with
    /// `O_NOFOLLOW`, so a folder replaced by a link while the walk runs is not followed, and each
    /// entry is examined with `fstatat(AT_SYMLINK_NOFOLLOW)`.
    private func list(_ inbox: URL) throws -> (files: [(InboxFile, String?, changed: Date)], unreadable: [String]) {
        var found: [(InboxFile, String?, changed: Date)] = []
        var unreadable: [String] = []
        let root: FolderHandle
        do {
            root = try FolderHandle.open(inbox.path)
        } catch {
            throw FileSystemError("cannot list \(inbox.path): \(error)")
        }
        // Subfolders wait by their parent's handle and their name, and are opened only when their
        // turn comes: a walk holds descriptors for one branch (its depth), not for every folder
        // it has seen (an inbox with a folder per teacher ran out of descriptors at ~1,000).
        let longest = Self.longestRelativePath(inbox: inbox)
        var folders: [(parent: FolderHandle?, name: String, relative: String)] = [(nil, "", "")]
        while let (parent, folderName, relativeFolder) = folders.popLast() {
            let folder: FolderHandle
            if let parent {
                do {
                    folder = try parent.folder(folderName)
                } catch FolderHandle.Failure.notAFolder {
                    continue  // replaced by a link since the look: the next listing refuses it
                } catch {
                    unreadable.append(relativeFolder)
                    continue
                }
            } else {
                folder = root
            }
            let entries: [FolderHandle.Name]
            do {
                entries = try folder.names()
            } catch {
                if relativeFolder.isEmpty { throw FileSystemError("cannot list \(inbox.path): \(error)") }
                unreadable.append(relativeFolder)
                continue
            }
            let (names, renamed) = Self.renameNamesThatAreNotUTF8(entries, in: folder)
            entries: for name in names.sorted() {
                if InputKind.isIgnored(name: name) { continue }
                let relative = relativeFolder.isEmpty ? name : relativeFolder + "/" + name
                let info: stat
                switch folder.examine(name) {
                case .success(let found):
                    info = found
                case .failure(let error) where error.code == EACCES:
                    // Names listed but nothing in the folder can be examined (`r` without `x`):
                    // as unlistable as a folder without `r`, and named the same way, never
                    // passed over in silence.
                    if relativeFolder.isEmpty { throw FileSystemError("cannot list \(inbox.path): \(error)") }
                    unreadable.append(relativeFolder)
                    break entries
                case .failure:
                    continue  // vanished
                }
                let file = InboxFile(relativePath: relative, size: Int64(info.st_size), modified: info.modificationDate)
                let type = info.st_mode & S_IFMT
                let changed = Date(timeIntervalSince1970: TimeInterval(info.st_ctim.tv_sec) + TimeInterval(info.st_ctim.tv_nsec) / 1e9)
                if type != S_IFDIR, renamed.contains(name) {
                    found.append((file, Self.notUTF8, changed))
                    continue
                }
                if type == S_IFDIR {
                    folders.append((folder, name, relative))
                } else if relative.utf8.count > longest {
                    found.append((file, Self.pathTooLong(relative, longest: longest), changed))
                } else {
                    found.append((file, InputMover.refusal(of: info), changed))
                }
            }
        }
        return (found.sorted { $0.0.relativePath < $1.0.relativePath }, unreadable.sorted())
    }

    /// The longest path below the inbox a file may have: once claimed, readers open it by its
    /// path below `work/<run id>/`, which must stay within the system's limit (`PATH_MAX`, 4,096
    /// bytes). A file nested deeper stopped every run ("File name too long") until moved by hand.
    static func longestRelativePath(inbox: URL) -> Int {
        let root = inbox.deletingLastPathComponent().path.utf8.count
        // `/work/<run id>/` and `/archive/<date>/<run id>/` (run ids are ~20 bytes), and room.
        return max(255, Int(PATH_MAX) - 1 - root - 64)
    }

    static func pathTooLong(_ relative: String, longest: Int) -> String {
        "Refused: the file's path in the inbox is \(relative.utf8.count) bytes long, more than passback can open once it is claimed (\(longest)); move it into a folder nearer the top of the inbox and drop it again."
    }

    static let unknownNameMessage =
        "The name says neither what file this is nor which course it belongs to; name category exports *.categories.csv or *.categories.xml, and a course's two files <name>.gradebook.csv and <name>.canvas.json."

    static let notUTF8 =
        "Refused: the file's name is not UTF-8 text, so it was renamed with its other bytes written %XX. Give the file a plain name (letters, digits, '-', '_', '.') and drop it again."

    /// Renames the entries of `folder` whose names are not UTF-8 (a Latin-1 name from an old file
    /// server), which no Swift path can name: every byte of 0x80 and above becomes `%XX`, cut
    /// with a hash when too long, keeping the end that says what the file is. Without this they
    /// would never be claimed, quarantined or reported. Names that are never claimed (`.x`, `~$x`,
    /// `x.tmp`) are left alone. Returns the folder's names after renaming, and the new names.
    static func renameNamesThatAreNotUTF8(_ entries: [FolderHandle.Name], in folder: FolderHandle) -> (names: [String], renamed: Set<String>) {
        var names: [String] = []
        var odd: [[UInt8]] = []
        for entry in entries {
            if entry.isUTF8 { names.append(entry.name) } else { odd.append(entry.bytes) }
        }
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
            while renamed.contains(target) || folder.contains(target) {
                counter += 1
                target = "\(counter)~" + name
            }
            if folder.rename(bytes: bytes, to: target) {
                renamed.insert(target)
                names.append(target)
            }
        }
        return (names, renamed)
    }
}

extension RuleCode {
    /// A file over `max_input_bytes`: quarantined unread, so one huge file cannot exhaust the
    /// server's memory night after night (spec v2, section 6).
    static let tooLarge = RuleCode("too-large")
}
