#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 reader over bytes: one record at a time, fields as views into a reused
/// buffer, from a file read in chunks or from bytes in memory.
///
/// **Why hand-written.** The CSV libraries in the package mirror (yaslab/CSV.swift, SwiftCSV)
/// read a Canvas-shaped gradebook tens of times slower, SwiftCSV with hundreds of MB of resident
/// memory (docs/PERFORMANCE.md, "Measurements behind design choices"). The libraries build a
/// `String` per cell; this reader
/// builds none (callers make strings only for the few cells they keep and parse scores straight
/// from the bytes). CSV.swift also ends every read on Linux with `cannotReadFile`, so an I/O error
/// cannot be told from the end of the file; here a failed `read` throws ``FileReadError`` and
/// the end of the file is simply `next()` returning `false`.
///
/// **The dialect.** A configurable separator byte (`,` by default); fields may be quoted, with
/// `""` for a quote and separators and line breaks inside. LF, CRLF and a lone CR all end a
/// record; inside a quoted field they are kept byte for byte. A UTF-8 byte-order mark at the start
/// is skipped and reported by ``hasByteOrderMark``. Zero bytes after the last line break are not
/// a record; an empty line elsewhere is a record with one empty field (``isBlank`` tells callers
/// to skip it).
///
/// **What stops a file** (an ``InputFileError`` `malformed-file` with the physical line): a NUL
/// byte, a UTF-16 byte-order mark, a quote inside an unquoted field, text after a closing quote,
/// a quoted field still open at the end of the file, a field, record or field count over
/// ``CSVLimits``, and (from ``string(at:)``) a kept field that is not valid UTF-8.
///
/// **Memory.** Input is read ``defaultChunkSize`` bytes at a time into one buffer; a record that
/// straddles two chunks is moved to the front of the buffer, so the buffer only grows for a record
/// longer than a chunk (bounded by ``CSVLimits/maximumRecordBytes``). Quoted fields are unescaped
/// in place. Eight zeroed bytes follow the data so that the scanner may read whole words.
///
/// The reader is noncopyable because it owns its buffers and, when opened from a path, the file
/// descriptor; both are released when it goes out of scope. It is meant for one task at a time and
/// is not `Sendable`.
package struct CSVReader: ~Copyable {
    /// 1 MiB: as fast as memory-mapping the file here, with constant memory.
    static let defaultChunkSize = 1 << 20

    /// The byte between fields (`,` or `;`).
    private(set) var separator: UInt8
    /// How many bytes each read asks for.
    let chunkSize: Int
    let limits: CSVLimits
    /// The file's path when the reader opened it (for messages).
    let path: String?

    /// Whether the input started with a UTF-8 byte-order mark (which is not part of any field).
    /// Known once the first record (or ``leadingBytes(upTo:)``) has been read.
    package private(set) var hasByteOrderMark = false
    /// The 1-based physical line on which the current record starts.
    package private(set) var recordLine = 0
    /// The number of fields of the current record.
    package private(set) var fieldCount = 0

    private enum Source {
        case file(descriptor: Int32, closesWhenDone: Bool)
        case memory([UInt8])
    }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case afterQuote
    }

    // Byte classes of `byteClass`.
    private static let ordinary: UInt8 = 0
    private static let separatorClass: UInt8 = 1
    private static let lineFeedClass: UInt8 = 2
    private static let carriageReturnClass: UInt8 = 3
    private static let quoteClass: UInt8 = 4
    private static let nulClass: UInt8 = 5

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let source: Source
    private var memoryOffset = 0
    private var reachedEndOfInput = false
    private var started = false
    private var skipsLineFeed = false
    /// The physical line of `position`.
    private var line = 1

    /// Input bytes `[0, end)`; the current record starts at `recordStart`, parsing is at `position`.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var end = 0
    private var position = 0
    private var recordStart = 0

    /// Fields of the current record as offsets into `buffer`.
    private var fieldStarts: UnsafeMutablePointer<Int>
    private var fieldEnds: UnsafeMutablePointer<Int>
    private var fieldCapacity: Int

    /// One class per byte value, for the separator in use.
    private let byteClass: UnsafeMutablePointer<UInt8>

    private init(source: Source, path: String?, separator: UInt8, chunkSize: Int, limits: CSVLimits) {
        precondition(chunkSize > 0, "chunk size must be positive")
        precondition(Self.isUsableSeparator(separator), "unusable separator")
        self.source = source
        self.path = path
        self.separator = separator
        self.chunkSize = chunkSize
        self.limits = limits
        capacity = chunkSize
        buffer = .allocate(capacity: chunkSize + Self.padding)
        buffer.initialize(repeating: 0, count: Self.padding)
        fieldCapacity = min(64, limits.maximumFieldCount)
        fieldStarts = .allocate(capacity: fieldCapacity)
        fieldEnds = .allocate(capacity: fieldCapacity)
        byteClass = .allocate(capacity: 256)
        byteClass.initialize(repeating: Self.ordinary, count: 256)
        byteClass[Int(Self.lineFeed)] = Self.lineFeedClass
        byteClass[Int(Self.carriageReturn)] = Self.carriageReturnClass
        byteClass[Int(Self.quote)] = Self.quoteClass
        byteClass[0] = Self.nulClass
        byteClass[Int(separator)] = Self.separatorClass
    }

    /// Reads the file at `path`, opened read-only.
    /// - Throws: ``FileReadError`` when the file cannot be opened.
    init(fileAt path: String, separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = defaultChunkSize, limits: CSVLimits = .standard) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileReadError(operation: "open", path: path, errorNumber: errno) }
        self.init(source: .file(descriptor: descriptor, closesWhenDone: true), path: path, separator: separator, chunkSize: chunkSize, limits: limits)
    }

    /// Reads from an open file descriptor (a pipe, standard input); closes it when done only if
    /// asked to.
    init(fileDescriptor: Int32, closesWhenDone: Bool, separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = defaultChunkSize, limits: CSVLimits = .standard) {
        self.init(source: .file(descriptor: fileDescriptor, closesWhenDone: closesWhenDone), path: nil, separator: separator, chunkSize: chunkSize, limits: limits)
    }

    /// Reads bytes held in memory, `chunkSize` at a time like a file (so tests can put chunk
    /// boundaries anywhere).
    package init(bytes: [UInt8], separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = defaultChunkSize, limits: CSVLimits = .standard) {
        self.init(source: .memory(bytes), path: nil, separator: separator, chunkSize: chunkSize, limits: limits)
    }

    /// Reads records already in memory, copied once into a buffer of their size (the report
    /// rows the ledger stores, read a chunk at a time), without the chunked reads of a file.
    package init(copying bytes: UnsafeRawBufferPointer, separator: UInt8 = UInt8(ascii: ","), limits: CSVLimits = .standard) {
        self.init(source: .memory([]), path: nil, separator: separator, chunkSize: max(1, bytes.count), limits: limits)
        if let base = bytes.baseAddress, !bytes.isEmpty {
            buffer.initialize(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        end = bytes.count
        (buffer + end).initialize(repeating: 0, count: Self.padding)
        reachedEndOfInput = true
    }

    deinit {
        buffer.deallocate()
        fieldStarts.deallocate()
        fieldEnds.deallocate()
        byteClass.deallocate()
        if case .file(let descriptor, true) = source { _ = close(descriptor) }
    }

    /// Changes the separator; for callers that detect it from ``leadingBytes(upTo:)``. Call it
    /// before reading the first record.
    mutating func setSeparator(_ newSeparator: UInt8) {
        precondition(Self.isUsableSeparator(newSeparator), "unusable separator")
        byteClass[Int(separator)] = Self.ordinary
        separator = newSeparator
        byteClass[Int(newSeparator)] = Self.separatorClass
    }

    /// An ASCII byte other than the quote, CR, LF and NUL (a byte of a multi-byte UTF-8
    /// character would cut characters apart).
    private static func isUsableSeparator(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != quote && byte != lineFeed && byte != carriageReturn && byte != 0
    }

    /// Up to `count` bytes at the start of the content (after a byte-order mark), without
    /// consuming them: enough to recognise a header and its separator before reading records.
    /// Call it before the first ``next()``.
    mutating func leadingBytes(upTo count: Int) throws -> [UInt8] {
        fieldCount = 0
        if !started { try start() }
        recordStart = position
        while end - position < count, !reachedEndOfInput {
            _ = try refill(keepingFrom: position)
        }
        return Array(UnsafeBufferPointer(start: buffer + position, count: min(count, end - position)))
    }

    // MARK: - Records

    /// Reads the next record. Its fields are available through ``field(at:)`` until the next call.
    /// After an error the reader is not to be used further.
    /// - Returns: `false` at the end of the input (and on every later call).
    /// - Throws: ``InputFileError`` for input that is not well-formed CSV, ``FileReadError`` when
    ///   reading fails.
    package mutating func next() throws -> Bool {
        fieldCount = 0
        if !started { try start() }
        recordStart = position
        if skipsLineFeed {
            skipsLineFeed = false
            if position == end { _ = try refill(keepingFrom: position) }
            if position < end, buffer[position] == Self.lineFeed { position += 1 }
        }
        if position == end {
            _ = try refill(keepingFrom: position)
            if position == end { return false }
        }
        recordStart = position
        recordLine = line
        return try parseRecord()
    }

    /// The unescaped bytes of field `index` of the current record, valid until the next call to
    /// ``next()``. Quotes around a field and doubled quotes are already resolved.
    @inline(__always)
    package func field(at index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < fieldCount, "field index out of range")
        let start = fieldStarts[index]
        return UnsafeBufferPointer(start: buffer + start, count: fieldEnds[index] - start)
    }

    /// Field `index` as text. Only for the cells a caller keeps: scores are parsed from
    /// ``field(at:)`` without building strings.
    /// - Throws: ``InputFileError`` when the bytes are not valid UTF-8.
    package func string(at index: Int) throws -> String {
        let bytes = field(at: index)
        guard let text = UTF8Text.decode(bytes) else { throw notUTF8(field: index) }
        return text
    }

    /// Field `index` as text without surrounding spaces and tabs (ids, codes).
    /// - Throws: ``InputFileError`` when the bytes are not valid UTF-8.
    func trimmedString(at index: Int) throws -> String {
        let bytes = field(at: index)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard let text = UTF8Text.decode(UnsafeBufferPointer(rebasing: bytes[start..<end])) else {
            throw notUTF8(field: index)
        }
        return text
    }

    /// Every field of the current record as text (for headers and small files).
    func strings() throws -> [String] {
        var result: [String] = []
        result.reserveCapacity(fieldCount)
        for index in 0..<fieldCount { result.append(try string(at: index)) }
        return result
    }

    /// Whether every field of the current record is empty: an empty line, or a row of separators
    /// that a spreadsheet left behind.
    package var isBlank: Bool {
        for index in 0..<fieldCount where fieldEnds[index] != fieldStarts[index] { return false }
        return true
    }

    // MARK: - Parsing

    private mutating func start() throws {
        started = true
        while end - position < 3, !reachedEndOfInput {
            _ = try refill(keepingFrom: position)
        }
        let available = end - position
        if available >= 2 {
            let first = buffer[position]
            let second = buffer[position + 1]
            if (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF) {
                throw InputFileError(
                    .malformedFile,
                    "The file is UTF-16 text (Excel's \"Unicode Text\"; it starts with a UTF-16 byte-order mark), not CSV UTF-8. Open it in a spreadsheet and save it as \"CSV UTF-8 (Comma delimited)\", or export it again.",
                    line: 1
                )
            }
        }
        if available >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF {
            position += 3
            hasByteOrderMark = true
        }
    }

    private mutating func parseRecord() throws -> Bool {
        var p = position
        var fieldStart = p
        var write = p
        var state = State.fieldStart
        var quotedFieldLine = line
        let classes = byteClass
        let separatorWord = UInt64(separator) &* Self.everyByte
        while true {
            if p == end {
                position = p
                try checkRecordLength(endingAt: p)
                let fieldLength = state == .unquoted ? p - fieldStart : write - fieldStart
                if state != .fieldStart, fieldLength > limits.maximumFieldBytes {
                    throw fieldTooLong(line: state == .unquoted ? line : quotedFieldLine)
                }
                let shift = try refill(keepingFrom: recordStart)
                p -= shift
                fieldStart -= shift
                write -= shift
                if p == end {
                    // End of input inside the record: it ends here.
                    switch state {
                    case .fieldStart:
                        // After a trailing separator: one more, empty field.
                        try appendField(from: p, to: p, line: line)
                    case .unquoted:
                        try appendField(from: fieldStart, to: p, line: line)
                    case .quoted:
                        throw InputFileError(
                            .malformedFile,
                            "A quoted field that starts on line \(quotedFieldLine) is never closed: a closing \" is missing, so the rest of the file cannot be read. The file was probably cut short or edited by hand; export it again.",
                            line: quotedFieldLine
                        )
                    case .afterQuote:
                        try appendField(from: fieldStart, to: write, line: quotedFieldLine)
                    }
                    try checkRecordLength(endingAt: p)
                    position = p
                    return true
                }
            }
            let base = buffer
            let limit = end
            switch state {
            case .fieldStart:
                if base[p] == Self.quote {
                    p += 1
                    fieldStart = p
                    write = p
                    quotedFieldLine = line
                    state = .quoted
                } else {
                    fieldStart = p
                    state = .unquoted
                }
            case .unquoted:
                // Unquoted fields one after another (nearly every gradebook cell), without going
                // back through the state switch between them.
                while true {
                    p = Self.nextSpecialByte(in: base, from: p, limit: limit, classes: classes, separatorWord: separatorWord)
                    if p == limit { break }
                    let byteKind = classes[Int(base[p])]
                    // A plain branch for the common case (an indirect jump mispredicts more).
                    if byteKind == Self.separatorClass {
                        try appendField(from: fieldStart, to: p, line: line)
                        p += 1
                        if p < limit, base[p] != Self.quote {
                            fieldStart = p
                            continue
                        }
                        state = .fieldStart
                        break
                    }
                    if byteKind == Self.lineFeedClass || byteKind == Self.carriageReturnClass {
                        try appendField(from: fieldStart, to: p, line: line)
                        line += 1
                        if byteKind == Self.carriageReturnClass { skipsLineFeed = true }
                        try checkRecordLength(endingAt: p)
                        position = p + 1
                        return true
                    }
                    if byteKind == Self.quoteClass {
                        throw InputFileError(
                            .malformedFile,
                            "Line \(line) has a \" inside field \(fieldCount + 1), which does not start with a quote; in CSV such a field is written in quotes with the quote doubled (\"\"). Export the file again rather than editing it by hand.",
                            line: line
                        )
                    }
                    throw nulByte(line: line)
                }
            case .quoted:
                while p < limit {
                    // The bytes up to the next one that means something here, at once: most of a
                    // quoted field (a message with a comma in it) is text.
                    let special = Self.nextQuotedSpecialByte(in: base, from: p, limit: limit)
                    if special > p {
                        if write != p { memmove(base + write, base + p, special - p) }
                        write += special - p
                        p = special
                        if p == limit { break }
                    }
                    let byte = base[p]
                    let byteKind = classes[Int(byte)]
                    if byteKind == Self.quoteClass { break }
                    if byteKind == Self.carriageReturnClass {
                        line += 1
                    } else if byteKind == Self.lineFeedClass {
                        // CRLF is one line break; the CR is still in place (writes trail reads, and
                        // a run moved toward the front ends before the byte it was read up to).
                        if base[p - 1] != Self.carriageReturn { line += 1 }
                    } else if byteKind == Self.nulClass {
                        throw nulByte(line: line)
                    }
                    base[write] = byte
                    write += 1
                    p += 1
                }
                if p == limit { continue }
                p += 1
                state = .afterQuote
            case .afterQuote:
                switch classes[Int(base[p])] {
                case Self.quoteClass:
                    base[write] = Self.quote
                    write += 1
                    p += 1
                    state = .quoted
                case Self.separatorClass:
                    try appendField(from: fieldStart, to: write, line: quotedFieldLine)
                    p += 1
                    state = .fieldStart
                case Self.lineFeedClass:
                    try appendField(from: fieldStart, to: write, line: quotedFieldLine)
                    line += 1
                    try checkRecordLength(endingAt: p)
                    position = p + 1
                    return true
                case Self.carriageReturnClass:
                    try appendField(from: fieldStart, to: write, line: quotedFieldLine)
                    line += 1
                    skipsLineFeed = true
                    try checkRecordLength(endingAt: p)
                    position = p + 1
                    return true
                case Self.nulClass:
                    throw nulByte(line: line)
                default:
                    throw InputFileError(
                        .malformedFile,
                        "Line \(line) has text right after the closing quote of field \(fieldCount + 1); a quoted field must end with its quote, followed by a separator or the end of the line. Export the file again rather than editing it by hand.",
                        line: line
                    )
                }
            }
        }
    }

    /// Zeroed bytes kept after the data, so that `nextSpecialByte` may read a whole word.
    private static let padding = 8
    /// `0x01` in every byte of a word.
    private static let everyByte: UInt64 = 0x0101_0101_0101_0101
    /// The bytes below this one (NUL, LF, CR, `"`, and some harmless ones such as space) and
    /// the separator are the candidates `nextSpecialByte` stops at.
    private static let lowBytesBelow: UInt8 = 0x23

    /// The first byte from `start` on that ends an unquoted field (separator, CR, LF) or is not
    /// allowed in one (`"`, NUL), or `limit`.
    ///
    /// Looks at eight bytes at a time: in each, the classic bit trick flags the bytes below
    /// `0x23` and the bytes equal to the separator, and the lowest flag is always exact. A
    /// flagged byte that is only low (a space) is skipped. Reads up to seven bytes past `limit`,
    /// which `refill` keeps allocated and zeroed.
    @inline(__always)
    private static func nextSpecialByte(in base: UnsafeMutablePointer<UInt8>, from start: Int, limit: Int, classes: UnsafeMutablePointer<UInt8>, separatorWord: UInt64) -> Int {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let lowWord = UInt64(lowBytesBelow) &* everyByte
        var p = start
        while p < limit {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
            let low = (word &- lowWord) & ~word & highBits
            let separatorBytes = word ^ separatorWord
            let separators = (separatorBytes &- everyByte) & ~separatorBytes & highBits
            let flags = low | separators
            if flags == 0 {
                p += 8
                continue
            }
            p += flags.trailingZeroBitCount >> 3
            if p >= limit { return limit }
            if classes[Int(base[p])] != ordinary { return p }
            p += 1
        }
        return limit
    }

    /// The first byte from `start` on that means something inside a quoted field (`"`, CR, LF,
    /// NUL), or `limit`.
    ///
    /// Eight bytes at a time like ``nextSpecialByte(in:from:limit:classes:separatorWord:)``: the
    /// same trick flags the bytes equal to each of the four, and the lowest flag is always exact
    /// (a false flag can only follow a true one). Reads up to seven bytes past `limit`, which
    /// `refill` keeps allocated and zeroed.
    @inline(__always)
    private static func nextQuotedSpecialByte(in base: UnsafeMutablePointer<UInt8>, from start: Int, limit: Int) -> Int {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = UInt64(quote) &* everyByte
        let carriageReturns = UInt64(carriageReturn) &* everyByte
        let lineFeeds = UInt64(lineFeed) &* everyByte
        @inline(__always) func zeroBytes(_ word: UInt64) -> UInt64 { (word &- everyByte) & ~word & highBits }
        var p = start
        while p < limit {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
            let flags = zeroBytes(word ^ quotes) | zeroBytes(word ^ carriageReturns) | zeroBytes(word ^ lineFeeds) | zeroBytes(word)
            if flags == 0 {
                p += 8
                continue
            }
            return min(p + flags.trailingZeroBitCount >> 3, limit)
        }
        return limit
    }

    @inline(__always)
    private mutating func appendField(from start: Int, to end: Int, line fieldLine: Int) throws {
        if end - start > limits.maximumFieldBytes { throw fieldTooLong(line: fieldLine) }
        if fieldCount == fieldCapacity { try growFields() }
        fieldStarts[fieldCount] = start
        fieldEnds[fieldCount] = end
        fieldCount += 1
    }

    @inline(__always)
    private func checkRecordLength(endingAt p: Int) throws {
        if p - recordStart > limits.maximumRecordBytes {
            throw InputFileError(
                .malformedFile,
                "The record that starts on line \(recordLine) is longer than \(Self.describe(bytes: limits.maximumRecordBytes)), far more than any real row; the file is damaged (perhaps a quote is missing). Export it again.",
                line: recordLine
            )
        }
    }

    private mutating func growFields() throws {
        guard fieldCapacity < limits.maximumFieldCount else {
            throw InputFileError(
                .malformedFile,
                "The record that starts on line \(recordLine) has more than \(limits.maximumFieldCount) fields, far more than any real row; the file is damaged or is not a CSV export. Export it again.",
                line: recordLine
            )
        }
        let newCapacity = min(fieldCapacity * 2, limits.maximumFieldCount)
        let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        newStarts.initialize(from: fieldStarts, count: fieldCount)
        newEnds.initialize(from: fieldEnds, count: fieldCount)
        fieldStarts.deallocate()
        fieldEnds.deallocate()
        fieldStarts = newStarts
        fieldEnds = newEnds
        fieldCapacity = newCapacity
    }

    /// Moves the bytes from `keep` on to the front of the buffer, makes room for a chunk and reads
    /// it. Offsets of the current record (its start, its fields, `position`) are moved along.
    /// - Returns: how far the kept bytes moved toward the front.
    private mutating func refill(keepingFrom keep: Int) throws -> Int {
        if reachedEndOfInput { return 0 }
        var shift = 0
        if keep > 0 {
            let kept = end - keep
            if kept > 0 { memmove(buffer, buffer + keep, kept) }
            shift = keep
            end = kept
            position -= shift
            recordStart -= shift
            for index in 0..<fieldCount {
                fieldStarts[index] -= shift
                fieldEnds[index] -= shift
            }
        }
        if capacity - end < chunkSize {
            let newCapacity = max(capacity * 2, end + chunkSize)
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + Self.padding)
            newBuffer.initialize(from: buffer, count: end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
        let count = try readSource(into: buffer + end, maximumCount: chunkSize)
        if count == 0 {
            reachedEndOfInput = true
        } else {
            end += count
        }
        (buffer + end).initialize(repeating: 0, count: Self.padding)
        return shift
    }

    private mutating func readSource(into target: UnsafeMutablePointer<UInt8>, maximumCount: Int) throws -> Int {
        switch source {
        case .memory(let bytes):
            let count = min(maximumCount, bytes.count - memoryOffset)
            if count > 0 {
                bytes.withUnsafeBufferPointer { all in
                    target.initialize(from: all.baseAddress! + memoryOffset, count: count)
                }
                memoryOffset += count
            }
            return count
        case .file(let descriptor, _):
            while true {
                let count = read(descriptor, target, maximumCount)
                if count >= 0 { return count }
                let error = errno
                if error == EINTR { continue }
                throw FileReadError(operation: "read", path: path, errorNumber: error)
            }
        }
    }

    // MARK: - Messages

    private func fieldTooLong(line: Int) -> InputFileError {
        InputFileError(
            .malformedFile,
            "A field that starts on line \(line) is longer than \(Self.describe(bytes: limits.maximumFieldBytes)), far more than any real cell; the file is damaged (perhaps a quote is missing) or is not a CSV export. Export it again.",
            line: line
        )
    }

    private func notUTF8(field index: Int) -> InputFileError {
        InputFileError(
            .malformedFile,
            "Field \(index + 1) of the record on line \(recordLine) is not valid UTF-8 text. Save the file as \"CSV UTF-8\" or export it again from its source.",
            line: recordLine
        )
    }

    private func nulByte(line: Int) -> InputFileError {
        InputFileError(
            .malformedFile,
            "Line \(line) contains a NUL byte, so this is not a CSV text file. If it was saved as UTF-16 (\"Unicode Text\"), save it again as \"CSV UTF-8\"; otherwise export it again.",
            line: line
        )
    }

    private static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
