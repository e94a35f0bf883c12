import CLibCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of a file's bytes, in hex: the key that tells a re-dropped, byte-identical bundle
/// from a new one.
///
/// OpenSSL's libcrypto through its EVP interface (the system's, like libxml2 and SQLite), not
/// swift-crypto: on Linux swift-crypto compiles its own copy of BoringSSL (about 360 C files and
/// 80 Swift ones, a minute and a half of every clean CI build) for this one hash, while
/// AsyncHTTPClient already builds another copy for TLS.
enum ContentDigest {
    static func sha256(fileAt path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FileSystemError.posix("open", path, errno) }
        defer { close(fd) }
        var hasher = try SHA256Hasher()
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
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hex(try hasher.finalize())
    }

    /// The SHA-256 of `bytes`, in hex.
    static func sha256(_ bytes: some Collection<UInt8>) throws -> String {
        var hasher = try SHA256Hasher()
        try Array(bytes).withUnsafeBytes { try hasher.update($0) }
        return hex(try hasher.finalize())
    }

    private static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// One SHA-256 computation over libcrypto's `EVP_MD_CTX`, freed with the value.
private struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    init() throws {
        guard let context = EVP_MD_CTX_new() else { throw DigestError("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw DigestError("EVP_DigestInit_ex")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else { throw DigestError("EVP_DigestUpdate") }
    }

    consuming func finalize() throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else { throw DigestError("EVP_DigestFinal_ex") }
        return Array(digest.prefix(Int(length)))
    }
}

/// libcrypto refused a digest call (out of memory, or a library without SHA-256).
struct DigestError: Error, CustomStringConvertible {
    var call: String
    init(_ call: String) { self.call = call }
    var description: String { "OpenSSL's libcrypto failed in \(call) while computing a SHA-256" }
}
