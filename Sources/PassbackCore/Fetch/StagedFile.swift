import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file the fetch stage writes in its own folder of the workspace (`work/.fetch/`) and then
/// moves into the inbox whole, so that a run never sees half of it (spec section 8): written,
/// `fsync`ed and closed, then `renameat(2)` into the inbox folder, held by its descriptor. A
/// staged file that is never published is removed.
///
/// Created 0600: it holds student records.
final class StagedFile {
    private let folder: FolderHandle
    let name: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var published = false
    /// Bytes written so far.
    private(set) var size = 0

    init(in folder: FolderHandle, name: String) throws {
        self.folder = folder
        self.name = name
        folder.remove(name)
        descriptor = try folder.create(name)
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !published { folder.remove(name) }
    }

    func write(_ bytes: some Collection<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        size += bytes.count
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ text: String) throws {
        try write(text.utf8)
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError.posix("write", folder.path + "/" + name, errno)
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, `fsync`s and closes: the file is complete on disk.
    func finish() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw FileSystemError.posix("fsync", folder.path + "/" + name, errno) }
        let fd = descriptor
        descriptor = -1
        guard close(fd) == 0 else { throw FileSystemError.posix("close", folder.path + "/" + name, errno) }
    }

    /// Moves the finished file into `target` as `finalName`, replacing what is there (a file of
    /// an earlier fetch not claimed yet; a link is replaced, never followed). The caller
    /// `fsync`s `target` once for all its renames.
    func publish(into target: FolderHandle, as finalName: String) throws {
        precondition(descriptor < 0, "finish() first")
        try folder.move(name, to: target, as: finalName)
        published = true
    }
}
