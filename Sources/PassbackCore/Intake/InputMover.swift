import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Moves inputs through the workspace by `rename(2)`, so a file is always in exactly one place:
/// `inbox/` → `work/<run id>/` (claimed) → `archive/<date>/<run id>/` (processed) or
/// `quarantine/<run id>/` (rejected, with `<name>.reason.txt`).
public struct InputMover: Sendable {
    public let workspace: Workspace
    public let runID: String

    public init(workspace: Workspace, runID: String) {
        self.workspace = workspace
        self.runID = runID
    }

    public var workFolder: URL { workspace.work.appendingPathComponent(runID, isDirectory: true) }

    /// Where a claimed file is during the run.
    public func claimedPath(_ file: InboxFile) -> String {
        workFolder.path + "/" + file.relativePath
    }

    /// Checks what was claimed is still a plain file with one link: opened without following a
    /// symlink or blocking on a FIFO, examined with `fstat` (the scan's `lstat` could have been
    /// raced by a swap before the rename).
    /// - Returns: why the file is refused, or `nil`.
    public func refusalOfClaimed(_ file: InboxFile) -> String? {
        let fd = open(claimedPath(file), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return errno == ELOOP ? "Refused: a symbolic link is not read from the inbox; copy the file itself in." : "Refused: the file cannot be opened (\(String(cString: strerror(errno))))."
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "Refused: the file cannot be examined." }
        guard info.st_mode & S_IFMT == S_IFREG else { return "Refused: not a regular file (a pipe, socket or device); drop plain files only." }
        guard info.st_nlink == 1 else { return "Refused: the file has \(info.st_nlink) hard links, so someone else can still change it; copy it into the inbox instead of linking it." }
        // Inputs carry student records too: private from here on (best effort: a file dropped by
        // another user of the registrars' group may not be ours to change; its folders are 0700).
        _ = fchmod(fd, 0o600)
        return nil
    }

    /// Claims a file (moves it from the inbox into the run's work folder) without syncing the
    /// work folder: the caller syncs every folder returned,
    /// once, with ``syncFolders(_:)`` (a claim that a power cut undoes leaves the file in the
    /// inbox, which is where the next run looks).
    /// - Returns: the folder the file was moved into.
    @discardableResult
    public func claimDeferringSync(_ file: InboxFile) throws -> String {
        try move(from: workspace.inbox.path + "/" + file.relativePath, to: claimedPath(file), sync: false)
    }

    /// `fsync`s each folder once.
    public static func syncFolders(_ folders: Set<String>) throws {
        for folder in folders.sorted() {
            try DurableFile.syncDirectory(at: folder)
        }
    }

    /// Moves a file (claimed, or still in the inbox) to `quarantine/<run id>/` and writes the
    /// reason beside it.
    public func quarantine(_ file: InboxFile, code: RuleCode, message: String, line: Int?, claimed: Bool) throws {
        let target = workspace.quarantine.path + "/\(runID)/" + file.relativePath
        let source = claimed ? claimedPath(file) : workspace.inbox.path + "/" + file.relativePath
        try move(from: source, to: target)
        _ = chmod(target, 0o600)
        let where_ = line.map { " (line \($0))" } ?? ""
        let reasonPath = Self.reasonPath(for: target)
        var reason = "\(code.rawValue)\(where_): \(message)\n"
        if reasonPath != target + Self.reasonSuffix { reason += "File: \(file.name)\n" }
        let note = try DurableFile(finalPath: reasonPath)
        try note.write(Array(reason.utf8))
        try note.publish()
    }

    /// The files in the run's work folder (claimed and not yet archived or quarantined), named
    /// by their path relative to it, which is their path in the inbox.
    public func claimedFiles() throws -> [InboxFile] {
        var files: [InboxFile] = []
        var folders = [""]
        let base = workFolder.path
        while let folder = folders.popLast() {
            let path = folder.isEmpty ? base : base + "/" + folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names where !(folder.isEmpty && name == Self.outputFolderName) {
                let relative = folder.isEmpty ? name : folder + "/" + name
                var info = stat()
                guard lstat(base + "/" + relative, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    folders.append(relative)
                } else {
                    files.append(InboxFile(
                        relativePath: relative, size: Int64(info.st_size),
                        modified: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
                    ))
                }
            }
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Where passback XML is written before it is validated and published.
    public static let outputFolderName = ".out"
    public var outputFolder: URL { workFolder.appendingPathComponent(Self.outputFolderName, isDirectory: true) }

    /// Puts a claimed file back into the inbox (half a bundle whose partner a killed run never
    /// claimed): the next run claims the two together.
    public func returnToInbox(_ file: InboxFile) throws {
        try move(from: claimedPath(file), to: workspace.inbox.path + "/" + file.relativePath)
    }

    static let reasonSuffix = ".reason.txt"

    /// Where the reason for the file at `target` is written: `<name>.reason.txt` beside it. A
    /// name too long to take the suffix (and the `.tmp` of writing) within the 255 bytes a file
    /// name may have is cut at a character boundary and made unique with a hash; the reason then
    /// names the file in full.
    static func reasonPath(for target: String) -> String {
        let name = (target as NSString).lastPathComponent
        let folder = String(target.dropLast(name.count))
        let longest = 255 - reasonSuffix.utf8.count - ".tmp".utf8.count
        guard name.utf8.count > longest else { return target + reasonSuffix }
        let tag = "~" + Workspace.nameHash(name.utf8)
        var kept = ""
        for character in name {
            if kept.utf8.count + character.utf8.count + tag.utf8.count > longest { break }
            kept.append(character)
        }
        return folder + kept + tag + reasonSuffix
    }

    /// Archives what is left in the run's work folder when the run ends (the inputs it processed:
    /// rejected ones went to quarantine, returned ones to the inbox) to `archive/<date>/<run id>/`,
    /// keeping their inbox paths, and removes the temporary XML folder.
    ///
    /// One `rename(2)` of the folder, and an `fsync` of the two folders it left and entered, instead
    /// of a rename per file: a district's run archives thousands of inputs (4,000 renames took
    /// ~0.2 s of a 1.2 s run). When the archive folder exists already (a run that an older
    /// passback began), the files are moved one by one into it. A crash before the rename leaves
    /// the files in the work folder, where the next run finds them; after it, the run has nothing
    /// left to archive.
    public func archiveWorkFolder(date: LocalDate) throws {
        let manager = FileManager.default
        try? manager.removeItem(at: outputFolder)
        let work = workFolder.path
        // Empty folders (left by files quarantined or returned) are not archived.
        func prune(_ path: String) -> Bool {
            guard let names = try? manager.contentsOfDirectory(atPath: path) else { return false }
            var empty = true
            for name in names {
                var info = stat()
                let child = path + "/" + name
                if lstat(child, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, prune(child) { continue }
                empty = false
            }
            if empty { rmdir(path) }
            return empty
        }
        if prune(work) { return }
        var info = stat()
        guard lstat(work, &info) == 0 else { return }
        let dated = workspace.archive.path + "/\(date)"
        let target = dated + "/" + runID
        if lstat(target, &info) != 0 {
            if lstat(dated, &info) != 0 {
                do {
                    try manager.createDirectory(atPath: dated, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw FileSystemError("cannot create \(dated): \(error.localizedDescription)")
                }
            }
            guard Glibc.rename(work, target) == 0 else { throw FileSystemError.posix("rename", work, errno) }
            try Self.syncFolders([dated, workspace.work.path])
            return
        }
        var folders: Set<String> = []
        for file in try claimedFiles() {
            folders.insert(try move(from: claimedPath(file), to: target + "/" + file.relativePath, sync: false))
        }
        try Self.syncFolders(folders)
        _ = prune(work)
    }

    @discardableResult
    private func move(from source: String, to target: String, sync: Bool = true) throws -> String {
        let folder = (target as NSString).deletingLastPathComponent
        var info = stat()
        if stat(folder, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw FileSystemError("cannot create \(folder): \(error.localizedDescription)")
            }
        }
        if sync {
            try DurableFile.rename(source, to: target)
        } else {
            guard Glibc.rename(source, target) == 0 else { throw FileSystemError.posix("rename", source, errno) }
        }
        return folder
    }
}
