internal import CLibXML2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Validates a section's passback file against the XSD, as the documents of its
/// ``PassbackValidationPlan`` (the file itself, or its parts when it is large), while the file is
/// still being written: libxml2's streaming validator reads the file through its own descriptor
/// on a thread of its own and, when it catches up with the writer, waits for more (issue 12). A
/// large section's XML is then rendered and validated at the same time, on two cores, instead of
/// one after the other (the validation is about two thirds of the CPU a section costs), and the
/// file is read back while its pages are still in memory. Each document is checked exactly as
/// ``SchemaValidator/validate(fileAt:)`` checks a file (the same libxml2 validator underneath,
/// `xmlSchemaValidateStream`).
///
/// The writer reports each line item (``wrote(_:)``) and each write (``wrote(upTo:)``), may start
/// the reading thread (``startReading()``: a small file is validated once written, on the
/// writer's thread), and ends with ``finish(size:)`` (every byte written: the verdict) or
/// ``cancel()`` (the file is abandoned: stop reading). One of the two must be called: until then
/// a reading thread waits for more bytes.
final class ValidationWhileWriting: @unchecked Sendable {
    // @unchecked: the mutable state below is guarded by `condition`; the reading position is
    // used by the one thread that validates.
    private let condition = NSCondition()
    private var plan: PassbackValidationPlan
    private var written = 0
    private var cancelled = false
    private var reading = false
    private var verdict: [XMLProblem]?
    private let descriptor: Int32
    private let schema: SchemaValidator
    /// Where the validating thread is: part, segment, bytes read of the segment.
    private var position = (part: 0, segment: 0, offset: 0)

    /// Prepares to validate the file at `path` (which the caller has created) following `plan`.
    /// - Throws: when the file cannot be opened for reading.
    init(path: String, schema: SchemaValidator, plan: PassbackValidationPlan) throws(PassbackWriterError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw PassbackWriterError("cannot open \(path) to validate it: \(String(cString: strerror(errno)))")
        }
        self.schema = schema
        self.plan = plan
    }

    deinit {
        close(descriptor)
    }

    /// Starts validating on a thread of its own, once.
    func startReading() {
        condition.lock()
        defer { condition.unlock() }
        guard !reading, !cancelled, verdict == nil else { return }
        reading = true
        let thread = Thread { [self] in
            let problems = StageClock.shared.measure(.validate) { validateParts() }
            condition.lock()
            verdict = problems
            condition.broadcast()
            condition.unlock()
        }
        // libxml2's validator keeps little on the stack (a passback file is a few levels deep).
        thread.stackSize = 1 << 21
        thread.start()
    }

    /// The writer has written a line item at `span`.
    func wrote(_ span: PassbackValidationPlan.LineItemSpan) {
        condition.lock()
        plan.wrote(span)
        condition.broadcast()
        condition.unlock()
    }

    /// The writer has written `total` bytes of the file.
    func wrote(upTo total: Int) {
        condition.lock()
        written = total
        condition.broadcast()
        condition.unlock()
    }

    /// The writer wrote the whole file, `size` bytes: the problems found, empty when the file is
    /// valid. Validates on the caller's thread when no reading thread was started.
    func finish(size: Int) -> [XMLProblem] {
        condition.lock()
        written = size
        plan.finish(size: size)
        condition.broadcast()
        guard reading else {
            condition.unlock()
            return StageClock.shared.measure(.validate) { validateParts() }
        }
        defer { condition.unlock() }
        while verdict == nil { condition.wait() }
        return verdict!
    }

    /// The file is abandoned: a reading thread stops at its next read.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while reading, verdict == nil { condition.wait() }
    }

    /// Validates every part of the plan in turn, as they come; the problems found, with the lines
    /// they have in the file.
    private func validateParts() -> [XMLProblem] {
        let log = XMLErrorLog(hiding: schema.targetNamespace)
        var foundIn: [(part: Int, problems: Range<Int>)] = []
        var part = 0
        while hasPart(part) {
            let before = log.problems.count
            let status: Int32 = LibXML2.withErrors(collectedIn: log) {
                guard let context = schema.makeValidationContext(reportingTo: log) else { return -1 }
                defer { xmlSchemaFreeValidCtxt(context) }
                guard
                    let input = xmlParserInputBufferCreateIO(
                        Self.readCallback, Self.closeCallback, Unmanaged.passUnretained(self).toOpaque(), XML_CHAR_ENCODING_NONE
                    )
                else { return -1 }
                // Takes the input buffer and frees it, as xmlSchemaValidateFile does with its own.
                return xmlSchemaValidateStream(context, input, XML_CHAR_ENCODING_NONE, nil, nil)
            }
            if status != 0, log.problems.count == before, log.omittedProblemCount == 0 {
                log.record(SchemaValidator.failureWithoutMessage(status: status, log: log))
            }
            if log.problems.count > before { foundIn.append((part, before..<log.problems.count)) }
            if isCancelled { break }
            part += 1
        }
        // Lines of a part that is not the file itself are lines of that part: say the file's.
        condition.lock()
        let final = plan
        condition.unlock()
        for (part, range) in foundIn where final.isComplete(part: part) {
            let segments = final.parts[part].segments
            if segments.count == 1, case .file(start: 0, _) = segments[0] { continue }
            log.relocateLines(of: range) { fileLine($0, of: segments) }
        }
        if final.partCount > 1 { log.removeRepeatedProblems() }
        return log.reportedProblems
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Whether there is a part `part` to validate (while the file is written, the open part
    /// always follows the complete ones), and reading starts there; false when the file is
    /// finished without it or abandoned.
    private func hasPart(_ part: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        position = (part, 0, 0)
        return !cancelled && part < plan.partCount
    }

    /// libxml2's read callback: up to `count` bytes of the part being validated, waiting while the
    /// reader has caught up with the writer; 0 at the end of the part, -1 when cancelled or on a
    /// read error.
    fileprivate func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int32 {
        condition.lock()
        while true {
            if cancelled {
                condition.unlock()
                return -1
            }
            guard let segment = plan.segment(position.segment, ofPart: position.part) else {
                if plan.isComplete(part: position.part) {
                    condition.unlock()
                    return 0
                }
                condition.wait()
                continue
            }
            switch segment {
            case .bytes(let bytes):
                guard position.offset < bytes.count else {
                    position = (position.part, position.segment + 1, 0)
                    continue
                }
                let from = position.offset
                let n = min(count, bytes.count - from)
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + from, byteCount: n) }
                position.offset += n
                condition.unlock()
                return Int32(n)
            case .file(let start, let end):
                let at = start + position.offset
                if let end, at >= end {
                    position = (position.part, position.segment + 1, 0)
                    continue
                }
                let available = min(end ?? written, written) - at
                guard available > 0 else {
                    condition.wait()
                    continue
                }
                condition.unlock()
                var n: Int
                repeat { n = pread(descriptor, buffer, min(count, available), off_t(at)) } while n < 0 && errno == EINTR
                // Bytes below `written` are there: reading none is a fault (the file was cut).
                guard n > 0 else { return -1 }
                condition.lock()
                position.offset += n
                condition.unlock()
                return Int32(n)
            }
        }
    }

    /// The file's line of line `line` of the document made of `segments`; nil when the line
    /// starts in bytes the part added (the end tags of a part that is not the last).
    private func fileLine(_ line: Int, of segments: [PassbackValidationPlan.Segment]) -> Int? {
        // Line `line` starts after the document's (line - 1)th line end.
        var remaining = line - 1
        for segment in segments {
            switch segment {
            case .bytes(let bytes):
                if remaining == 0, !bytes.isEmpty { return nil }
                for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
                    remaining -= 1
                    if remaining == 0, i + 1 < bytes.count { return nil }
                }
            case .file(let start, let end):
                guard let end else { return nil }
                if remaining == 0 {
                    if start < end { return newlines(before: start) + 1 }
                    continue
                }
                var at = start
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while at < end {
                    let n = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, min($0.count, end - at), off_t(at)) }
                    guard n > 0 else { return nil }
                    for i in 0..<n where chunk[i] == UInt8(ascii: "\n") {
                        remaining -= 1
                        if remaining == 0, at + i + 1 < end { return newlines(before: at + i + 1) + 1 }
                    }
                    at += n
                }
            }
        }
        return nil
    }

    /// How many line ends the file has before byte `offset`.
    private func newlines(before offset: Int) -> Int {
        var count = 0
        var at = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while at < offset {
            let n = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, min($0.count, offset - at), off_t(at)) }
            guard n > 0 else { break }
            count += chunk[0..<n].count(where: { $0 == UInt8(ascii: "\n") })
            at += n
        }
        return count
    }

    /// The callbacks libxml2 reads through; the context is this object, unretained (it outlives
    /// the validation: ``finish(size:)`` and ``cancel()`` wait for it).
    static let readCallback: xmlInputReadCallback = { context, buffer, count in
        guard let context, let buffer, count > 0 else { return -1 }
        return Unmanaged<ValidationWhileWriting>.fromOpaque(context).takeUnretainedValue().read(into: UnsafeMutableRawPointer(buffer), count: Int(count))
    }

    static let closeCallback: xmlInputCloseCallback = { _ in 0 }
}
