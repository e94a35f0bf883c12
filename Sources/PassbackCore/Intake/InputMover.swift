import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Moves inputs through the workspace by `rename(2)`, so a file is always in exactly one place:
/// `inbox/` → `work/<run id>/` (claimed) → `archive/<date>/<run id>/` (processed) or
/// `quarantine/<run id>/` (rejected, with `<name>.reason.txt`).
///
/// Every name is reached through held folders (``FolderHandle``), never by a path looked up
/// again: a registrar can replace anything in the inbox by a link at any moment, and nothing here
/// may follow one. A dropped file's mode is never changed (spec section 1, v2): it stays private
/// because every folder it passes through after the inbox is closed to others.
struct InputMover: Sendable {
    let workspace: Workspace
    let runID: String
    private let folders: Folders

    init(workspace: Workspace, runID: String) {
        self.workspace = workspace
        self.runID = runID
        folders = Folders(workspace: workspace)
    }

    var workFolder: URL { workspace.work.appendingPathComponent(runID, isDirectory: true) }

    /// Where a claimed file is during the run (in the run's private work folder, where only the
    /// service account can change anything, so readers may open it by path).
    func claimedPath(_ file: InboxFile) -> String {
        workFolder.path + "/" + file.relativePath
    }

    /// What became of a file the run tried to claim.
    enum Claim: Sendable, Equatable {
        /// In the work folder, a plain file with one link.
        case claimed
        /// In the work folder, but not to be read (a link, a pipe, a device, a hard link or a
        /// folder swapped in since the listing): quarantine it with this reason.
        case refused(String)
        /// Not claimed: gone since the listing, or a folder on its way is no longer a folder
        /// (replaced by a link); nothing was moved. The reason is for the log.
        case leftInInbox(String)
    }

    /// Claims a file: moves it from the inbox into the run's work folder by `renameat` between
    /// held folders (a folder on its way replaced by a link is not entered), then opens what
    /// arrived without following a link or blocking on a pipe and examines it with `fstat`.
    /// The work folders are not synced here: ``syncClaims()`` syncs each once (a claim that a
    /// power cut undoes leaves the file in the inbox, where the next run looks).
    func claim(_ file: InboxFile) throws -> Claim {
        let (folder, name) = Self.split(file.relativePath)
        let source: FolderHandle
        do {
            source = try folders.inbox(folder)
        } catch let failure as FolderHandle.Failure {
            return .leftInInbox(Self.unreachable(failure))
        }
        let target = try folders.work(runID, folder, create: true)
        do {
            try source.move(name, to: target, as: name)
        } catch let failure as FolderHandle.Failure {
            return .leftInInbox(Self.unreachable(failure))
        }
        folders.claimed(target)
        if let refusal = Self.refusal(of: name, in: target) { return .refused(refusal) }
        return .claimed
    }

    /// `fsync`s each work folder that claims moved files into, once.
    func syncClaims() throws {
        try folders.syncClaimed()
    }

    private static func unreachable(_ failure: FolderHandle.Failure) -> String {
        switch failure {
        case .missing(let path): "gone since the inbox was listed (\(path))"
        case .notAFolder(let path): "\(path) is no longer a folder (a link was put in its place); nothing in it was claimed"
        }
    }

    /// Why the entry `name` of `folder` must not be read, or `nil` for a plain file with one
    /// link. Opened with `O_NOFOLLOW | O_NONBLOCK` and examined with `fstat`: the listing's
    /// `lstat` could have been raced by a swap before the claim.
    static func refusal(of name: String, in folder: FolderHandle) -> String? {
        let fd: Int32
        do {
            fd = try folder.openForReading(name)
        } catch {
            guard let info = folder.entry(name) else { return "Refused: the file cannot be opened." }
            switch info.st_mode & S_IFMT {
            case S_IFLNK: return refusedLink
            case S_IFSOCK: return refusedSpecial
            case S_IFREG where (error as? FileSystemError)?.code == EACCES:
                return refusedUnreadable
            default: return "Refused: the file cannot be opened (\(error))."
            }
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "Refused: the file cannot be examined." }
        return refusal(of: info)
    }

    /// Why a file with this `lstat`/`fstat` must not be read, or `nil`.
    static func refusal(of info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG where info.st_nlink > 1:
            "Refused: the file has \(info.st_nlink) hard links, so someone else can still change it; copy it into the inbox instead of linking it."
        case S_IFREG: nil
        case S_IFLNK: refusedLink
        case S_IFDIR: "Refused: a folder was put here after the inbox was listed; drop plain files only."
        default: refusedSpecial
        }
    }

    static let refusedUnreadable =
        "Refused: passback may not read the file (permission denied). Make it readable by the registrars' group (chmod g+r, or drop it with umask 007) and drop it again."
    static let refusedLink = "Refused: a symbolic link is not read from the inbox; copy the file itself in."
    static let refusedSpecial = "Refused: not a regular file (a pipe, socket or device); drop plain files only."

    /// Moves a file (claimed, or still in the inbox) to `quarantine/<run id>/` and writes the
    /// reason beside it. Whatever the entry is (a link, a pipe, a folder), it is moved as it is,
    /// never opened, followed or changed.
    /// - Returns: `false` when the file could not be reached without following a link (it is
    ///   left where it is; the next run lists it again).
    @discardableResult
    func quarantine(_ file: InboxFile, code: RuleCode, message: String, line: Int?, claimed: Bool) throws -> Bool {
        let (folder, name) = Self.split(file.relativePath)
        let source: FolderHandle
        do {
            source = claimed ? try folders.work(runID, folder, create: false) : try folders.inbox(folder)
        } catch is FolderHandle.Failure {
            return false
        }
        let target = try folders.quarantine(runID, folder)
        // Never over what is there: a registrar who drops `x` and `x.reason.txt` together would
        // otherwise have the second replace passback's reason for the first, or (when the second
        // was quarantined first) passback's reason replace the registrar's file. The file's name
        // and its reason's name are both free.
        let stored: String
        do {
            stored = try source.moveKeepingWhatIsThere(name, to: target, preferring: name, companion: { Self.reasonName(for: $0) })
        } catch is FolderHandle.Failure {
            return false
        }
        let where_ = line.map { " (line \($0))" } ?? ""
        let reasonName = Self.reasonName(for: stored)
        var reason = "\(code.rawValue)\(where_): \(message)\n"
        if stored != name {
            reason += "File: \(file.name), kept as \(stored) (quarantine had a file of its name, or of its reason's)\n"
        } else if reasonName != name + Self.reasonSuffix {
            reason += "File: \(file.name)\n"
        }
        try Self.writeNote(Array(reason.utf8), named: reasonName, in: target)
        return true
    }

    /// Writes a small file the project owns: a temporary name created exclusively without
    /// following links, `fsync`, renamed into place, the folder `fsync`ed. Readable by the
    /// registrars' group where the folder is (a quarantine reason is for them).
    static func writeNote(_ bytes: [UInt8], named name: String, in folder: FolderHandle) throws {
        let temporary = name + ".tmp"
        folder.remove(temporary)
        let fd = try folder.create(temporary, mode: folder.fileModeForContents)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                folder.remove(temporary)
                throw FileSystemError.posix("write", folder.path + "/" + temporary, code)
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError.posix("fsync", folder.path + "/" + temporary, code)
        }
        close(fd)
        try folder.move(temporary, to: folder, as: name)
        try folder.sync()
    }

    /// The files in the run's work folder (claimed and not yet archived or quarantined), named
    /// by their path relative to it, which is their path in the inbox.
    func claimedFiles() throws -> [InboxFile] {
        var files: [InboxFile] = []
        guard let base = try? folders.work(runID, "", create: false) else { return [] }
        var pending: [(FolderHandle, String)] = [(base, "")]
        while let (folder, relativeFolder) = pending.popLast() {
            guard let names = try? folder.names() else { continue }
            for entry in names {
                let name = entry.name
                if relativeFolder.isEmpty, name == Self.outputFolderName || name == FlightRecorder.fileName { continue }
                let relative = relativeFolder.isEmpty ? name : relativeFolder + "/" + name
                guard let info = folder.entry(name) else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    if let child = try? folder.folder(name) { pending.append((child, relative)) }
                } else {
                    files.append(InboxFile(relativePath: relative, size: Int64(info.st_size), modified: info.modificationDate))
                }
            }
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Where passback XML is written before it is validated and published.
    static let outputFolderName = ".out"
    var outputFolder: URL { workFolder.appendingPathComponent(Self.outputFolderName, isDirectory: true) }

    /// Puts a claimed file back into the inbox (half a bundle whose partner a killed run never
    /// claimed): the next run claims the two together.
    func returnToInbox(_ file: InboxFile) throws {
        let (folder, name) = Self.split(file.relativePath)
        let source = try folders.work(runID, folder, create: false)
        let target: FolderHandle
        do {
            target = try folders.inbox(folder, create: true)
        } catch let failure as FolderHandle.Failure {
            // The inbox folder it came from is a link now: back to the inbox's top instead.
            _ = failure
            target = try folders.inbox("")
        }
        try source.move(name, to: target, as: name)
        try target.sync()
    }

    static let reasonSuffix = ".reason.txt"

    /// Where the reason for the file at `target` is written: `<name>.reason.txt` beside it. A
    /// name too long to take the suffix (and the `.tmp` of writing) within the 255 bytes a file
    /// name may have is cut at a character boundary and made unique with a hash; the reason then
    /// names the file in full.
    static func reasonPath(for target: String) -> String {
        let name = (target as NSString).lastPathComponent
        return String(target.dropLast(name.count)) + reasonName(for: name)
    }

    static func reasonName(for name: String) -> String {
        let longest = 255 - reasonSuffix.utf8.count - ".tmp".utf8.count
        guard name.utf8.count > longest else { return name + reasonSuffix }
        let tag = "~" + Workspace.nameHash(name.utf8)
        var kept = ""
        for character in name {
            if kept.utf8.count + character.utf8.count + tag.utf8.count > longest { break }
            kept.append(character)
        }
        return kept + tag + reasonSuffix
    }

    /// Archives what is left in the run's work folder when the run ends (the inputs it processed:
    /// rejected ones went to quarantine, returned ones to the inbox) to `archive/<date>/<run id>/`,
    /// keeping their inbox paths, and removes the temporary XML folder.
    ///
    /// One `rename(2)` of the folder, and an `fsync` of the two folders it left and entered, instead
    /// of a rename per file: a district's run archives thousands of inputs (docs/PERFORMANCE.md,
    /// "What was changed"). When the archive folder exists already (a run that an older
    /// passback began), the files are moved one by one into it. A crash before the rename leaves
    /// the files in the work folder, where the next run finds them; after it, the run has nothing
    /// left to archive.
    func archiveWorkFolder(date: LocalDate) throws {
        let workRoot = try folders.work(runID, nil, create: false)
        guard let work = try? workRoot.folder(runID) else { return }
        if Self.discardUnlessItHoldsFiles(work, named: runID, in: workRoot) { return }
        let archive = try FolderHandle.open(workspace.archive.path)
        let dated = try archive.folder("\(date)", create: true)
        if !dated.contains(runID) {
            try workRoot.move(runID, to: dated, as: runID)
            folders.forgetSubfolders()
            try dated.sync()
            try workRoot.sync()
            return
        }
        let target = try dated.folder(runID)
        var touched: [FolderHandle] = []
        for file in try claimedFiles() {
            let (folder, name) = Self.split(file.relativePath)
            let into = try target.folder(folder, create: true)
            try work.folder(folder).move(name, to: into, as: name)
            touched.append(into)
        }
        for folder in touched { try folder.sync() }
        _ = Self.discardUnlessItHoldsFiles(work, named: runID, in: workRoot)
    }

    /// Removes the run's work folder when nothing is left in it but the temporary XML and empty
    /// folders (after every input was returned to the inbox); returns whether it did.
    @discardableResult
    func discardEmptyWorkFolder() throws -> Bool {
        let workRoot = try folders.work(runID, nil, create: false)
        guard let work = try? workRoot.folder(runID) else { return true }
        return Self.discardUnlessItHoldsFiles(work, named: runID, in: workRoot)
    }

    /// Removes `.out` and every empty folder below `folder`, then `folder` itself when it is
    /// empty (folders emptied by files quarantined or returned are not archived).
    private static func discardUnlessItHoldsFiles(_ folder: FolderHandle, named name: String, in parent: FolderHandle) -> Bool {
        folder.removeTree(outputFolderName)
        folder.remove(FlightRecorder.fileName)
        func prune(_ folder: FolderHandle) -> Bool {
            guard let names = try? folder.names() else { return false }
            var empty = true
            for entry in names {
                if let info = folder.entry(entry.name), info.st_mode & S_IFMT == S_IFDIR,
                    let child = try? folder.folder(entry.name), prune(child), folder.removeEmptyFolder(entry.name)
                {
                    continue
                }
                empty = false
            }
            return empty
        }
        guard prune(folder) else { return false }
        parent.removeEmptyFolder(name)
        return true
    }

    /// A relative path's folder (`""` at the top) and name.
    static func split(_ relativePath: String) -> (folder: String, name: String) {
        guard let slash = relativePath.lastIndex(of: "/") else { return ("", relativePath) }
        return (String(relativePath[..<slash]), String(relativePath[relativePath.index(after: slash)...]))
    }
}

extension stat {
    /// The modification time as a `Date`.
    var modificationDate: Date {
        Date(timeIntervalSince1970: TimeInterval(st_mtim.tv_sec) + TimeInterval(st_mtim.tv_nsec) / 1e9)
    }
}

/// The folders a mover works in, held open for the run: the inbox's, the run's work folder's and
/// its quarantine's, by relative path. Claims happen on one thread; the lock makes the type
/// safe to share with the workers, which only read paths.
private final class Folders: @unchecked Sendable {
    // @unchecked: `held` and `claimedFolders` are touched only under `lock`.
    let workspace: Workspace
    private let lock = NSLock()
    private var held: [String: FolderHandle] = [:]
    private var claimedFolders: [ObjectIdentifier: FolderHandle] = [:]

    init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The root of one of the workspace's own folders, opened by path: only the service account
    /// can change the workspace root's entries.
    private func root(_ name: String) throws -> FolderHandle {
        try lock.withLock {
            if let handle = held[name] { return handle }
            let handle = try FolderHandle.open(workspace.root.path + "/" + name)
            held[name] = handle
            return handle
        }
    }

    private func below(_ base: FolderHandle, key: String, _ relative: String, create: Bool, mode: mode_t) throws -> FolderHandle {
        if relative.isEmpty { return base }
        if let handle = lock.withLock({ held[key] }) { return handle }
        let handle = try base.folder(relative, create: create, mode: mode)
        lock.withLock {
            // Subfolders of a district's inbox are few; keep the number of descriptors bounded.
            if held.count > 256 { held = held.filter { !$0.key.contains("\u{0}") } }
            held[key] = handle
        }
        return handle
    }

    /// `inbox/<relative>`; each component opened with `O_NOFOLLOW`.
    func inbox(_ relative: String, create: Bool = false) throws -> FolderHandle {
        try below(try root("inbox"), key: "inbox\u{0}" + relative, relative, create: create, mode: 0o770)
    }

    /// `work/<run>/<relative>`; `nil` for `work/` itself.
    func work(_ runID: String, _ relative: String?, create: Bool) throws -> FolderHandle {
        let work = try root("work")
        guard let relative else { return work }
        let run = try below(work, key: "work\u{0}" + runID, runID, create: create, mode: 0o700)
        return try below(run, key: "work\u{0}" + runID + "\u{0}" + relative, relative, create: create, mode: 0o700)
    }

    /// `quarantine/<run>/<relative>`, made when missing.
    func quarantine(_ runID: String, _ relative: String) throws -> FolderHandle {
        let run = try below(try root("quarantine"), key: "quarantine\u{0}" + runID, runID, create: true, mode: 0o700)
        return try below(run, key: "quarantine\u{0}" + runID + "\u{0}" + relative, relative, create: true, mode: 0o700)
    }

    /// Drops every held subfolder (after the run's work folder moved under `archive/`).
    func forgetSubfolders() {
        lock.withLock { held = held.filter { !$0.key.contains("\u{0}") } }
    }

    func claimed(_ folder: FolderHandle) {
        lock.withLock { claimedFolders[ObjectIdentifier(folder)] = folder }
    }

    func syncClaimed() throws {
        let folders = lock.withLock {
            defer { claimedFolders = [:] }
            return Array(claimedFolders.values)
        }
        for folder in folders { try folder.sync() }
    }
}
