#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file passback XML is written to (by ``PassbackXMLBuffer``, and in the tests through
/// libxml2's output callbacks): a file descriptor that remembers the first write or close error.
///
/// libxml2's own file output (`xmlNewTextWriterFilename`) closes the file inside
/// `xmlFreeTextWriter`, which returns nothing, and the writer keeps its last bytes until then: a
/// full disk at that moment would go unnoticed. Writing through these callbacks keeps every error.
final class PassbackOutputFile {
    let path: String
    private var descriptor: Int32
    /// The first failure, as a sentence.
    private(set) var failure: String?

    /// Creates (or truncates) the file.
    init(path: String) throws(PassbackWriterError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw PassbackWriterError("cannot create \(path): \(Self.describe(errno))")
        }
    }

    /// Writes all of `bytes`; on failure remembers why and returns false.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard descriptor >= 0 else {
            fail("cannot write \(path): the file is already closed")
            return false
        }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                fail("cannot write \(path): \(Self.describe(errno))")
                return false
            }
            offset += written
        }
        return true
    }

    /// Closes the file; on failure remembers why and returns false. Closing twice is harmless.
    /// It does not `fsync`: the file is synced once, when it is published
    /// (``DurableFile/publishWrittenFile(at:as:syncingDirectory:)``); a file never published
    /// needs no sync.
    @discardableResult
    func closeFile() -> Bool {
        guard descriptor >= 0 else { return true }
        var ok = true
        if close(descriptor) != 0 {
            fail("cannot close \(path): \(Self.describe(errno))")
            ok = false
        }
        descriptor = -1
        return ok
    }

    private func fail(_ message: String) {
        if failure == nil { failure = message }
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    deinit {
        closeFile()
    }
}
