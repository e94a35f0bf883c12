import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of a file's bytes, in hex: the key that tells a re-dropped, byte-identical bundle
/// from a new one (swift-crypto's implementation; BoringSSL underneath).
enum ContentDigest {
    static func sha256(fileAt path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FileSystemError.posix("open", path, errno) }
        defer { close(fd) }
        var hasher = SHA256()
        // 64 KiB, not zeroed: a zeroed 1 MiB buffer per file cost 4 GB of memset for a
        // 2,000-course inbox.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError.posix("read", path, errno)
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in hasher.finalize() {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
