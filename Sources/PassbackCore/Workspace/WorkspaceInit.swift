import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `passback init`: makes a workspace, or repairs the modes of an existing one, and says what it
/// changed (spec sections 1 and 7, v2).
///
/// A workspace is never made implicitly: every other command refuses a folder that is not one
/// (``Workspace/openExisting(root:)``). Modes follow ``WorkspaceLayout``: with a registrars' group
/// the root is 0750, `inbox/` 3770, `reports/` and `quarantine/` 2750 with their project files
/// 0640, the rest 0700/0600; without one, everything is the service account's alone.
///
/// Only what the project made is ever changed: its folders, and in `reports/`, `quarantine/`,
/// `outbox/` and `state/` the files it writes, owned by this account, reached through held
/// folders without following links. A registrar's quarantined file keeps its mode.
public struct WorkspaceInitializer {
    /// Which registrars' group the workspace gets.
    public enum Group: Sendable, Equatable {
        /// The group the workspace has (its root's, when the root grants its group access), or
        /// none for a new one.
        case keep
        /// This group, by name.
        case named(String)
        /// No group: everything private to the service account.
        case none
    }

    let root: URL
    let group: Group

    public init(root: URL, group: Group) {
        self.root = root.standardizedFileURL
        self.group = group
    }

    /// What `init` did, one line per change, for people.
    public struct Outcome: Sendable, Equatable {
        var made: Bool
        public var changes: [String]
        /// The registrars' group's name, `nil` for a private workspace.
        var groupName: String?
        /// The closing line: what the workspace now is.
        public var summary: String
    }

    /// Makes or repairs the workspace.
    /// - Throws: ``RunError`` of kind ``RunError/Kind/workspace`` (exit 2) when the folder cannot
    ///   be a workspace or the group cannot be given, ``RunError/Kind/busy`` (exit 75) when a run
    ///   holds the workspace.
    public func initialize() throws(RunError) -> Outcome {
        do {
            return try makeOrRepair()
        } catch let error as RunError {
            throw error
        } catch is RunLock.Busy {
            throw RunError(.busy, "a passback run holds the lock of \(root.path); run init again when it has finished")
        } catch {
            throw RunError(.workspace, "\(error)")
        }
    }

    private func makeOrRepair() throws -> Outcome {
        umask(0o077)
        let path = root.path
        if let (outer, folder) = Workspace.enclosingWorkspace(of: root) {
            throw WorkspaceError("\(path) \(Workspace.describe(root, within: outer, folder: folder)); a workspace cannot be made there")
        }
        var changes: [String] = []
        var info = stat()
        let made: Bool
        var madeRoot = false
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw WorkspaceError("\(path) is not a folder, so it cannot be a passback workspace") }
            made = !Workspace.isWorkspace(root)
        } else {
            let parent = root.deletingLastPathComponent().path
            guard mkdir(path, 0o700) == 0 else {
                let code = errno
                if code == ENOENT { throw WorkspaceError("cannot make \(path): the folder \(parent) does not exist") }
                throw WorkspaceError("cannot make \(path): \(String(cString: strerror(code)))")
            }
            made = true
            madeRoot = true
        }
        var owner = stat()
        if stat(path, &owner) == 0, owner.st_uid != geteuid() {
            let name = Self.userName(owner.st_uid)
            throw WorkspaceError("\(path) belongs to \(name), not to the account running passback; run init as that account (sudo -u \(name) passback init --root \(path))")
        }
        let top: FolderHandle
        do {
            top = try FolderHandle.open(path)
        } catch {
            throw WorkspaceError("cannot open \(path): \(error)")
        }
        var rootInfo = stat()
        guard fstat(top.descriptor, &rootInfo) == 0, rootInfo.st_uid == geteuid() else { throw WorkspaceError("cannot examine \(path), or it changed owner") }
        let gid = try groupID(existingRoot: made ? nil : rootInfo)
        let shared = gid != nil

        var repair = ModeRepair(root: path, gid: gid)
        try repair.set(top, name: nil, mode: WorkspaceLayout.rootMode(shared: shared), group: gid, made: madeRoot)
        var handles: [String: FolderHandle] = [:]
        for folder in WorkspaceLayout.folders {
            let mode = WorkspaceLayout.mode(of: folder.access, shared: shared)
            let madeFolder = !top.contains(folder.name)
            if madeFolder, mkdirat(top.descriptor, folder.name, 0o700) != 0 {
                throw WorkspaceError("cannot make \(path)/\(folder.name): \(String(cString: strerror(errno)))")
            }
            let handle: FolderHandle
            do {
                handle = try top.folder(folder.name)
            } catch {
                throw WorkspaceError("\(path)/\(folder.name) is not a folder (a link or a file is in its place); move it away and run init again")
            }
            try repair.set(handle, name: folder.name + "/", mode: mode, group: folder.access == .owner ? nil : gid, made: madeFolder)
            handles[folder.name] = handle
        }
        changes += repair.folderChanges

        // No run may be writing while modes change and the ledger is migrated.
        let lock = try RunLock(path: path + "/state/run.lock")
        defer { lock.release() }
        // Opened as a run opens it: made (with its id) in a new workspace, refused when missing
        // where earlier runs left traces, replaced or damaged; migrated otherwise.
        let ledgerPath = path + "/state/ledger.sqlite"
        let hadLedger = FileManager.default.fileExists(atPath: ledgerPath)
        _ = try WorkspaceLedger.open(Workspace(root: root))
        if !hadLedger { changes.append("made state/ledger.sqlite") }

        var files = FileRepair(gid: gid)
        if let reports = handles["reports"] { files.repairFiles(in: reports, label: "reports/", group: gid) }
        if let quarantine = handles["quarantine"] { files.repairTree(quarantine, label: "quarantine/", group: gid) }
        if let outbox = handles["outbox"] { files.repairFiles(in: outbox, label: "outbox/", group: nil) }
        if let state = handles["state"] { files.repairFiles(in: state, label: "state/", group: nil) }
        changes += files.changes

        let groupName = gid.map(Self.groupName)
        let access =
            groupName.map { "the group \($0) may drop files into inbox/ and read reports/ and quarantine/; state/, outbox/ and archive/ are private" }
            ?? "private to \(Self.userName(geteuid())) (no registrars' group; give one with --group NAME)"
        let summary = (made ? "made the workspace \(path): " : changes.isEmpty ? "the workspace \(path) was in order: " : "repaired the workspace \(path): ") + access
        return Outcome(made: made, changes: changes, groupName: groupName, summary: summary)
    }

    /// The group to give: the one named, the one an existing workspace has (its root's group,
    /// when the root grants it access), or none.
    private func groupID(existingRoot info: stat?) throws -> gid_t? {
        switch group {
        case .none:
            return nil
        case .keep:
            guard let info, info.st_mode & 0o050 != 0 else { return nil }
            return info.st_gid
        case .named(let name):
            guard let entry = getgrnam(name) else {
                throw WorkspaceError("there is no group named '\(name)'; make it first (groupadd \(name)) and add the registrars to it")
            }
            let gid = entry.pointee.gr_gid
            if geteuid() != 0, !Self.isMember(of: gid) {
                throw WorkspaceError(
                    "\(Self.userName(geteuid())) is not a member of the group \(name), so it cannot give the workspace to it; add it (usermod -aG \(name) \(Self.userName(geteuid()))) and log in again"
                )
            }
            return gid
        }
    }

    static func isMember(of gid: gid_t) -> Bool {
        if getegid() == gid { return true }
        let count = getgroups(0, nil)
        guard count > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let filled = getgroups(count, &groups)
        return groups.prefix(Int(max(filled, 0))).contains(gid)
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid) else { return String(gid) }
        return String(cString: entry.pointee.gr_name)
    }

    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid) else { return String(uid) }
        return String(cString: entry.pointee.pw_name)
    }
}

/// Sets the modes and group of the workspace's own folders through their descriptors, noting
/// each change.
private struct ModeRepair {
    let root: String
    let gid: gid_t?
    var folderChanges: [String] = []

    /// Gives the folder `handle` (`name` relative to the root, `nil` for the root) `mode`, and
    /// `group` when one is given.
    mutating func set(_ handle: FolderHandle, name: String?, mode: mode_t, group: gid_t?, made: Bool) throws {
        var info = stat()
        guard fstat(handle.descriptor, &info) == 0 else { throw WorkspaceError("cannot examine \(handle.path)") }
        let label = name ?? root
        var what: [String] = []
        if let group, info.st_gid != group {
            guard fchown(handle.descriptor, uid_t.max, group) == 0 else {
                throw WorkspaceError("cannot give \(handle.path) to the group \(WorkspaceInitializer.groupName(group)): \(String(cString: strerror(errno)))")
            }
            what.append("group \(WorkspaceInitializer.groupName(info.st_gid)) -> \(WorkspaceInitializer.groupName(group))")
            guard fstat(handle.descriptor, &info) == 0 else { throw WorkspaceError("cannot examine \(handle.path)") }
        }
        if info.st_mode & 0o7777 != mode {
            guard fchmod(handle.descriptor, mode) == 0 else {
                throw WorkspaceError("cannot set the mode of \(handle.path): \(String(cString: strerror(errno)))")
            }
            what.append("mode \(octal(info.st_mode & 0o7777)) -> \(octal(mode))")
        }
        if made {
            folderChanges.append("made \(label) (mode \(octal(mode))\(group.map { ", group \(WorkspaceInitializer.groupName($0))" } ?? ""))")
        } else if !what.isEmpty {
            folderChanges.append("\(label): " + what.joined(separator: ", "))
        }
    }
}

/// Repairs the files (and, in `quarantine/`, the folders) the project wrote, counting changes
/// per folder of the workspace.
private struct FileRepair {
    let gid: gid_t?
    private var counts: [String: Int] = [:]
    private var order: [String] = []

    init(gid: gid_t?) {
        self.gid = gid
    }

    var changes: [String] { order.map { "\($0) (\(counts[$0]!))" } }

    private mutating func note(_ line: String) {
        if counts[line] == nil { order.append(line) }
        counts[line, default: 0] += 1
    }

    /// The files of `folder` that this account wrote: modes by what the folder grants.
    mutating func repairFiles(in folder: FolderHandle, label: String, group: gid_t?) {
        guard let names = try? folder.names() else { return }
        let mode = folder.fileModeForContents
        for entry in names where entry.isUTF8 {
            repairFile(entry.name, in: folder, label: label, mode: mode, group: group)
        }
    }

    /// `quarantine/`: the run folders the project made and the reasons it wrote; a registrar's
    /// file, or folder, is left exactly as it is.
    mutating func repairTree(_ top: FolderHandle, label: String, group: gid_t?) {
        var pending: [FolderHandle] = [top]
        while let folder = pending.popLast() {
            guard let names = try? folder.names() else { continue }
            var parent = stat()
            guard fstat(folder.descriptor, &parent) == 0 else { continue }
            for entry in names where entry.isUTF8 {
                guard let info = folder.entry(entry.name) else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    guard info.st_uid == geteuid(), let child = try? folder.folder(entry.name) else { continue }
                    var own = stat()
                    guard fstat(child.descriptor, &own) == 0, own.st_uid == geteuid() else { continue }
                    let mode = WorkspaceLayout.folderMode(0o700, inFolderOfMode: parent.st_mode)
                    var what: [String] = []
                    if let group, own.st_gid != group, fchown(child.descriptor, uid_t.max, group) == 0 { what.append("group \(WorkspaceInitializer.groupName(group))") }
                    if own.st_mode & 0o7777 != mode, fchmod(child.descriptor, mode) == 0 { what.append("mode \(octal(mode))") }
                    if !what.isEmpty { note("\(label): folder(s) made by runs set to " + what.joined(separator: ", ")) }
                    pending.append(child)
                } else if entry.name.hasSuffix(InputMover.reasonSuffix) {
                    repairFile(entry.name, in: folder, label: label, mode: WorkspaceLayout.fileMode(inFolderOfMode: parent.st_mode), group: group, kind: "reason file(s)")
                }
            }
        }
    }

    /// One file, when it is a plain file with one link owned by this account.
    private mutating func repairFile(_ name: String, in folder: FolderHandle, label: String, mode: mode_t, group: gid_t?, kind: String = "file(s)") {
        guard let fd = try? folder.openForReading(name) else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1, info.st_uid == geteuid() else { return }
        var what: [String] = []
        if let group, info.st_gid != group, fchown(fd, uid_t.max, group) == 0 { what.append("group \(WorkspaceInitializer.groupName(group))") }
        if info.st_mode & 0o7777 != mode, fchmod(fd, mode) == 0 { what.append("mode \(octal(mode))") }
        if !what.isEmpty { note("\(label): \(kind) set to " + what.joined(separator: ", ")) }
    }
}

/// `0750`, `3770`: a mode as `chmod` takes it.
func octal(_ mode: mode_t) -> String {
    let text = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
}
