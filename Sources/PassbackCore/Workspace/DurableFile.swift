import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file published the way a mail system delivers: written under a temporary name, `fsync`ed,
/// renamed into place, and its directory `fsync`ed, so a reader sees it complete or not at all
/// and a crash after the rename cannot lose it. Created 0600 whatever the umask: reports and
/// passback XML carry student records; 0640 in a folder the registrars' group may read
/// (`reports/`), never readable by others (``WorkspaceLayout/fileMode(inFolderOfMode:)``).
final class DurableFile {
    let finalPath: String
    let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 16

    /// Creates the temporary file (`<final>.tmp`, replaced if a crashed run left one).
    init(finalPath: String) throws {
        self.finalPath = finalPath
        temporaryPath = finalPath + ".tmp"
        unlink(temporaryPath)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw FileSystemError.posix("create", temporaryPath, errno) }
        guard fchmod(descriptor, Self.mode(forFileAt: finalPath)) == 0 else { throw FileSystemError.posix("chmod", temporaryPath, errno) }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    func write(_ bytes: inout [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        bytes.removeAll(keepingCapacity: true)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError.posix("write", temporaryPath, errno)
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, `fsync`s, renames into place and `fsync`s the directory.
    func publish() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw FileSystemError.posix("fsync", temporaryPath, errno) }
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw FileSystemError.posix("close", temporaryPath, errno)
        }
        descriptor = -1
        try Self.rename(temporaryPath, to: finalPath)
    }

    /// Publishes a file that something else (libxml2's writer) wrote at `temporaryPath`:
    /// permissions, `fsync`, rename, directory `fsync`.
    /// With `syncingDirectory: false` the caller `fsync`s the folder itself, once for several
    /// files, before it relies on them being there.
    static func publishWrittenFile(at temporaryPath: String, as finalPath: String, syncingDirectory: Bool = true) throws {
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FileSystemError.posix("open", temporaryPath, errno) }
        defer { close(fd) }
        guard fchmod(fd, mode(forFileAt: finalPath)) == 0 else { throw FileSystemError.posix("chmod", temporaryPath, errno) }
        guard fsync(fd) == 0 else { throw FileSystemError.posix("fsync", temporaryPath, errno) }
        if syncingDirectory {
            try rename(temporaryPath, to: finalPath)
        } else {
            guard Glibc.rename(temporaryPath, finalPath) == 0 else { throw FileSystemError.posix("rename", temporaryPath, errno) }
        }
    }

    /// The mode of a file published at `path`: by what its folder grants the registrars' group.
    static func mode(forFileAt path: String) -> mode_t {
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        guard stat(directory.isEmpty ? "." : directory, &info) == 0 else { return 0o600 }
        return WorkspaceLayout.fileMode(inFolderOfMode: info.st_mode)
    }

    /// Sets the mode of a file this process made (the ledger's, which SQLite creates) through
    /// its descriptor: opened without following a link, and changed only when it is a plain file
    /// with one link owned by this user (spec section 1: nothing changes the mode of a file the
    /// project did not create).
    static func restrictMode(ofOwnFileAt path: String, to mode: mode_t) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1, info.st_uid == geteuid() else { return }
        if info.st_mode & 0o7777 != mode { _ = fchmod(fd, mode) }
    }

    /// `rename(2)` then `fsync` of the target directory.
    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw FileSystemError.posix("rename", from, errno) }
        try syncDirectory(containing: to)
    }

    /// `fsync`s the folder a file is in, so a rename into it survives a crash.
    static func syncDirectory(containing path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try syncDirectory(at: directory.isEmpty ? "." : directory)
    }

    /// `fsync`s a folder.
    static func syncDirectory(at directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.posix("open", directory, errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError.posix("fsync", directory, errno) }
    }
}

/// A file-system call that failed: the run cannot go on safely.
struct FileSystemError: Error, Sendable, CustomStringConvertible {
    var description: String
    /// The `errno` of the call, when one failed.
    var code: Int32?

    init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    static func posix(_ call: String, _ path: String, _ code: Int32) -> FileSystemError {
        FileSystemError("\(call) \(path): \(String(cString: strerror(code)))", code: code)
    }
}
