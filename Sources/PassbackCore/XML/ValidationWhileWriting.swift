internal import CLibXML2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Validates a passback file against the XSD on a thread of its own while the file is still
/// being written: libxml2's streaming validator reads the file through its own descriptor and,
/// when it catches up with the writer, waits for more (issue 12). A large section's XML is then
/// rendered and validated at the same time, on two cores, instead of one after the other (the
/// validation is about two thirds of the CPU a section costs); the file is read back while its
/// pages are still in memory. It checks exactly what ``SchemaValidator/validate(fileAt:)`` checks
/// (the same libxml2 call underneath, `xmlSchemaValidateStream`).
///
/// The writer reports each write (``wrote(upTo:)``) and ends with ``finish()`` (every byte
/// written: wait for the verdict) or ``cancel()`` (the file is abandoned: stop reading). One of
/// the two must be called: until then the validating thread waits for more bytes.
final class ValidationWhileWriting: @unchecked Sendable {
    // @unchecked: the mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var written = 0
    private var consumed = 0
    private var writerDone = false
    private var cancelled = false
    private var verdict: [XMLProblem]?
    private let descriptor: Int32

    /// Starts validating the file at `path` (which the caller has created); `nil` when it cannot
    /// be opened (the caller then validates it after writing).
    init?(path: String, schema: SchemaValidator) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        let thread = Thread { [self] in
            let problems = StageClock.shared.measure(.validate) { schema.validate(streamingFrom: self) }
            condition.lock()
            verdict = problems
            condition.broadcast()
            condition.unlock()
        }
        // libxml2's validator keeps little on the stack (a passback file is a few levels deep).
        thread.stackSize = 1 << 21
        thread.start()
    }

    deinit {
        close(descriptor)
    }

    /// The writer has written `total` bytes of the file.
    func wrote(upTo total: Int) {
        condition.lock()
        written = total
        condition.broadcast()
        condition.unlock()
    }

    /// The writer wrote the whole file (``wrote(upTo:)`` said how much): the problems found,
    /// empty when the file is valid.
    func finish() -> [XMLProblem] {
        condition.lock()
        defer { condition.unlock() }
        writerDone = true
        condition.broadcast()
        while verdict == nil { condition.wait() }
        return verdict!
    }

    /// The file is abandoned: the validating thread stops at its next read.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while verdict == nil { condition.wait() }
    }

    /// libxml2's read callback: up to `count` bytes, waiting while the reader has caught up with
    /// the writer; 0 at the end of the finished file, -1 when cancelled or on a read error.
    fileprivate func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int32 {
        while true {
            let n = Glibc.read(descriptor, buffer, count)
            if n > 0 {
                condition.lock()
                consumed += n
                condition.unlock()
                return Int32(n)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            condition.lock()
            while !cancelled, !writerDone, written <= consumed { condition.wait() }
            let stop = cancelled
            let end = writerDone && written <= consumed
            condition.unlock()
            if stop { return -1 }
            if end { return 0 }
        }
    }

    /// The callbacks libxml2 reads through; the context is this object, unretained (it outlives
    /// the validation: ``finish()`` and ``cancel()`` wait for it).
    static let readCallback: xmlInputReadCallback = { context, buffer, count in
        guard let context, let buffer, count > 0 else { return -1 }
        return Unmanaged<ValidationWhileWriting>.fromOpaque(context).takeUnretainedValue().read(into: UnsafeMutableRawPointer(buffer), count: Int(count))
    }

    static let closeCallback: xmlInputCloseCallback = { _ in 0 }
}

extension SchemaValidator {
    /// Validates what `source` reads, streaming (``ValidationWhileWriting``).
    func validate(streamingFrom source: ValidationWhileWriting) -> [XMLProblem] {
        let log = XMLErrorLog(hiding: targetNamespace)
        let status: Int32 = LibXML2.withErrors(collectedIn: log) {
            guard let context = makeValidationContext(reportingTo: log) else { return -1 }
            defer { xmlSchemaFreeValidCtxt(context) }
            guard
                let input = xmlParserInputBufferCreateIO(
                    ValidationWhileWriting.readCallback, ValidationWhileWriting.closeCallback,
                    Unmanaged.passUnretained(source).toOpaque(), XML_CHAR_ENCODING_NONE
                )
            else { return -1 }
            // Takes the input buffer and frees it, as xmlSchemaValidateFile does with its own.
            return xmlSchemaValidateStream(context, input, XML_CHAR_ENCODING_NONE, nil, nil)
        }
        return problems(status: status, log: log)
    }
}
