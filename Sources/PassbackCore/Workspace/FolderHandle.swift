import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A folder held open by its descriptor, so that every name below it is resolved one component
/// at a time and never through a symbolic link (spec section 1, v2: nothing the project does
/// follows a link it did not make).
///
/// The inbox is writable by a registrars' group: between two looks at a name, anyone of that
/// group can replace a file or a folder by a link to `/etc/passwd` or to the workspace itself. A
/// path string is looked up again by every call that takes it, through whatever links it then
/// holds; a folder descriptor is not. So every call that touches a dropped file goes through
/// this type: `openat`/`mkdirat` with `O_NOFOLLOW` for each folder on the way, `renameat`,
/// `unlinkat` and `fstatat(AT_SYMLINK_NOFOLLOW)` on one name in one held folder, and modes are
/// only ever set by `fchmod` on a descriptor this type opened and examined.
///
/// Only the workspace root is opened by path (it is the operator's `--root`, which may be a link
/// the operator made).
final class FolderHandle {
    let descriptor: Int32
    /// The folder's path, for messages only: never used to reach it again.
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens a folder the operator named (the workspace root, or a folder below it that only the
    /// service account can write).
    static func open(_ path: String) throws -> FolderHandle {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.posix("open", path, errno) }
        return FolderHandle(descriptor: fd, path: path)
    }

    /// Why a name cannot be reached without following a link, or does not exist.
    enum Failure: Error, Equatable {
        /// A component is a symbolic link, or not a folder where one was expected.
        case notAFolder(String)
        /// A component does not exist.
        case missing(String)
    }

    /// The folder at `relative` below this one (`a/b`), each component opened with
    /// `O_NOFOLLOW`; missing ones are made with `mode` when `create` is set. An empty path is
    /// this folder (a new descriptor).
    /// - Throws: ``Failure`` when a component is a link or not a folder (or is missing, without
    ///   `create`); ``FileSystemError`` for anything else.
    func folder(_ relative: String, create: Bool = false, mode: mode_t = 0o700) throws -> FolderHandle {
        var current = try FolderHandle(descriptor: duplicate(), path: path)
        for component in relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            guard component != ".", component != ".." else { throw Failure.notAFolder(current.path + "/" + component) }
            current = try current.child(component, create: create, mode: mode)
        }
        return current
    }

    private func child(_ name: String, create: Bool, mode: mode_t) throws -> FolderHandle {
        let childPath = path + "/" + name
        for attempt in 0..<2 {
            let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 { return FolderHandle(descriptor: fd, path: childPath) }
            let code = errno
            switch code {
            case ELOOP, ENOTDIR:
                throw Failure.notAFolder(childPath)
            case ENOENT where create && attempt == 0:
                // mkdirat never follows a link at its last component: it fails with EEXIST.
                if mkdirat(descriptor, name, mode) == 0 {
                    try shareLikeThisFolder(name, requested: mode)
                } else if errno != EEXIST {
                    throw FileSystemError.posix("mkdir", childPath, errno)
                }
            case ENOENT:
                throw Failure.missing(childPath)
            default:
                throw FileSystemError.posix("open", childPath, code)
            }
        }
        throw Failure.missing(childPath)
    }

    /// Gives a folder this process just made the registrars' group's access that this folder
    /// grants (``WorkspaceLayout/folderMode(_:inFolderOfMode:)``), through its descriptor: a run
    /// works under `umask 077`, so `mkdirat` alone would close `quarantine/<run id>/` to the group
    /// that may read `quarantine/`.
    private func shareLikeThisFolder(_ name: String, requested: mode_t) throws {
        var parent = stat()
        guard fstat(descriptor, &parent) == 0 else { return }
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }  // replaced since: the next open says what it is
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == geteuid() else { return }
        let mode = WorkspaceLayout.folderMode(requested, inFolderOfMode: parent.st_mode)
        if info.st_mode & 0o7777 != mode, fchmod(fd, mode) != 0 {
            throw FileSystemError.posix("chmod", path + "/" + name, errno)
        }
    }

    /// The mode for a file the project writes in this folder: readable by the group when the
    /// group may read the folder (`reports/`, `quarantine/`), else the owner's alone.
    var fileModeForContents: mode_t {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return 0o600 }
        return WorkspaceLayout.fileMode(inFolderOfMode: info.st_mode)
    }

    private func duplicate() throws -> Int32 {
        let fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { throw FileSystemError.posix("dup", path, errno) }
        return fd
    }

    /// What the entry `name` is, not following it when it is a link; `nil` when it is gone.
    func entry(_ name: String) -> stat? {
        var info = stat()
        return fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// What the entry `name` is, not following it when it is a link, or why it cannot be told:
    /// `ENOENT` when it is gone, `EACCES` when this folder may be read but not searched (`r`
    /// without `x`: its names can be listed, nothing in it can be examined or opened).
    func examine(_ name: String) -> Result<stat, FileSystemError> {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .failure(.posix("stat", path + "/" + name, errno)) }
        return .success(info)
    }

    /// Whether `name` exists (as anything, a dangling link included).
    func contains(_ name: String) -> Bool { entry(name) != nil }

    /// Opens the entry `name` for reading without following a link or blocking on a pipe; the
    /// caller examines it with `fstat` before trusting it.
    func openForReading(_ name: String) throws -> Int32 {
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.posix("open", path + "/" + name, errno) }
        return fd
    }

    /// Creates `name` (which must not exist) for writing, owner only, and returns its descriptor.
    func create(_ name: String, mode: mode_t = 0o600) throws -> Int32 {
        let fd = openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileSystemError.posix("create", path + "/" + name, errno) }
        // The umask may have taken bits the caller asked for, never added any.
        guard fchmod(fd, mode) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError.posix("chmod", path + "/" + name, code)
        }
        return fd
    }

    /// Moves the entry `name` (whatever it is: a link is moved as a link) into `target` as
    /// `newName`. `rename(2)` never follows a link at either end.
    func move(_ name: String, to target: FolderHandle, as newName: String) throws {
        guard renameat(descriptor, name, target.descriptor, newName) == 0 else {
            let code = errno
            if code == ENOENT { throw Failure.missing(path + "/" + name) }
            throw FileSystemError.posix("rename", path + "/" + name, code)
        }
    }

    /// Moves `name` into `target` under `preferred`, or, when `target` already has an entry of
    /// that name (or of its `companion`'s name, a file that will be written beside it), under
    /// the first free `preferred~2`, `preferred~3`...: never replacing anything. For the
    /// project's own folders, where nobody else creates entries, so the look and the rename do
    /// not race. Returns the name used.
    func moveKeepingWhatIsThere(_ name: String, to target: FolderHandle, preferring preferred: String, companion: ((String) -> String)? = nil) throws -> String {
        var newName = preferred
        var counter = 1
        while target.entry(newName) != nil || companion.map({ target.entry($0(newName)) != nil }) == true {
            counter += 1
            newName = "\(preferred)~\(counter)"
        }
        try move(name, to: target, as: newName)
        return newName
    }

    /// Removes the entry `name` when it is not a folder; a link is removed, not its target.
    func remove(_ name: String) {
        _ = unlinkat(descriptor, name, 0)
    }

    /// Removes the folder `name` when it is empty; returns whether it did.
    @discardableResult
    func removeEmptyFolder(_ name: String) -> Bool {
        unlinkat(descriptor, name, AT_REMOVEDIR) == 0
    }

    /// Removes the folder `name` and everything in it, descending only into real folders (a
    /// link inside is removed as a link). For the project's own temporary folders.
    func removeTree(_ name: String) {
        guard let info = entry(name) else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else { return remove(name) }
        if let child = try? folder(name), let names = try? child.names() {
            for inner in names {
                child.removeTree(inner.name)
            }
        }
        removeEmptyFolder(name)
    }

    /// An entry of a listing: its name as text when it is UTF-8, and its bytes.
    struct Name {
        var bytes: [UInt8]
        var name: String { String(decoding: bytes, as: UTF8.self) }
        var isUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
    }

    /// The names in this folder (not `.` and `..`), as the file system holds them.
    func names() throws -> [Name] {
        let fd = try duplicate()
        guard let directory = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw FileSystemError.posix("list", path, code)
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var names: [Name] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            names.append(Name(bytes: bytes))
        }
        return names
    }

    /// Renames an entry named by raw bytes (a name that is not UTF-8) to `newName`, in place.
    func rename(bytes: [UInt8], to newName: String) -> Bool {
        let source = bytes + [0]
        return source.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                renameat(descriptor, $0, descriptor, newName) == 0
            }
        }
    }

    /// `fsync`s the folder, so renames into and out of it survive a power cut.
    func sync() throws {
        guard fsync(descriptor) == 0 else { throw FileSystemError.posix("fsync", path, errno) }
    }
}
