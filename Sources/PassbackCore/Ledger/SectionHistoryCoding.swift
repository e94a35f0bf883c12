import Foundation

/// The stored form of a ``SectionHistory``: one compact binary blob per section (a night's
/// millions of results are thousands of row writes, and a few bytes each).
///
/// Layout (integers are LEB128 varints; signed ones zigzag-encoded; strings are a length and
/// UTF-8 bytes):
///
///     version (1 or 2)  base time (signed, Unix seconds)
///     students: count, then each SIS id            (each once per section)
///     line items: count, then each: id, title, category, assign date, due date, max
///     [version 2: held line items: count, then each id]
///     results: line item count, then each: id, result count, then per result:
///         student index, flags, [sent grade], [sentAt], [seen grade], [seenSince]
///     other results: count, then each: result id, flags, fields as above
///
/// A grade is one byte, 0 for `EX` or 1 + scale for a score, then the score's mantissa; a time is
/// its distance in seconds from the base time (most are the base: one byte). Flags say which
/// fields are present and spare `seen` and `seenSince` when they equal `sent` and `sentAt`;
/// one flag says the result is held (``ResultState/held``). Times are kept to the second.
///
/// Version 2 (issue 11) adds the line items held back by a rule and the held flag. A history
/// that holds nothing is still written as version 1, byte for byte as before, so ledgers written
/// by earlier releases are not rewritten section by section on the first run after an upgrade;
/// both versions are read.
///
/// Binary rather than the text this replaced: text cost string building and sorting result ids
/// on every write, some thirty times as long (docs/PERFORMANCE.md, "Measurements behind design
/// choices"). An operator reads histories through `passback status`, not `sqlite3`.
enum SectionHistoryCoding {
    /// The version written when nothing is held (the layout of earlier releases).
    static let version: UInt8 = 1
    /// The version with held line items and held results.
    static let versionWithHolds: UInt8 = 2

    private enum Flag {
        static let sent: UInt8 = 1
        static let sentAt: UInt8 = 2
        static let seen: UInt8 = 4
        static let seenSince: UInt8 = 8
        static let seenIsSent: UInt8 = 16
        static let seenSinceIsSentAt: UInt8 = 32
        static let held: UInt8 = 64
    }

    // MARK: Encoding

    static func encode(_ history: SectionHistory) -> Data {
        var out = Writer()
        // Base time: the first time found in line item order (usually the run's clock). The
        // encoding is a function of the content (sorted keys, stored order), so an unchanged
        // history encodes to the bytes stored and is not written again.
        let items = history.resultsByLineItem.keys.sorted()
        var base: Int64 = 0
        search: for item in items {
            for state in history.resultsByLineItem[item]!.states {
                if let t = state.sentAt ?? state.seenSince {
                    base = seconds(t)
                    break search
                }
            }
        }
        let holds =
            !history.heldLineItems.isEmpty || history.resultsByLineItem.values.contains { $0.states.contains(where: \.held) }
            || history.looseResults.values.contains(where: \.held)
        out.byte(holds ? versionWithHolds : version)
        out.signed(base)

        // Students, numbered in first-seen order; a line item with the previous one's roster
        // in the same order needs no lookup.
        var number: [String: Int] = [:]
        var students: [String] = []
        var indices: [[Int]] = []
        var previous: (students: [String], indices: [Int]) = ([], [])
        for item in items {
            let stored = history.resultsByLineItem[item]!
            var these: [Int] = []
            these.reserveCapacity(stored.count)
            for (i, student) in stored.students.enumerated() {
                if i < previous.students.count, previous.students[i] == student {
                    these.append(previous.indices[i])
                } else if let n = number[student] {
                    these.append(n)
                } else {
                    number[student] = students.count
                    these.append(students.count)
                    students.append(student)
                }
            }
            previous = (stored.students, these)
            indices.append(these)
        }
        out.unsigned(UInt64(students.count))
        for student in students { out.string(student) }

        let fingerprints = history.lineItems.keys.sorted()
        out.unsigned(UInt64(fingerprints.count))
        for id in fingerprints {
            let f = history.lineItems[id]!
            out.string(id)
            out.string(f.title)
            out.string(f.categorySourcedID)
            out.date(f.assignDate)
            out.date(f.dueDate)
            out.signed(f.resultValueMax.mantissa)
            out.byte(f.resultValueMax.scale)
        }
        if holds {
            let held = history.heldLineItems.sorted()
            out.unsigned(UInt64(held.count))
            for id in held { out.string(id) }
        }

        out.unsigned(UInt64(items.count))
        for (k, item) in items.enumerated() {
            let stored = history.resultsByLineItem[item]!
            out.string(item)
            out.unsigned(UInt64(stored.count))
            for i in 0..<stored.count {
                out.unsigned(UInt64(indices[k][i]))
                out.state(stored.states[i], base: base)
            }
        }

        let loose = history.looseResults.keys.sorted()
        out.unsigned(UInt64(loose.count))
        for id in loose {
            out.string(id)
            out.state(history.looseResults[id]!, base: base)
        }
        return Data(out.bytes)
    }

    // MARK: Decoding

    static func decode(_ data: Data) throws -> SectionHistory {
        try data.withUnsafeBytes { raw in
            var input = Reader(bytes: raw)
            let header = try input.header()
            let base = header.base
            let students = header.students
            var history = SectionHistory()
            history.lineItems = header.lineItems
            history.heldLineItems = header.heldLineItems

            let itemCount = try input.count()
            history.resultsByLineItem.reserveCapacity(itemCount)
            for _ in 0..<itemCount {
                let item = try input.string()
                let count = try input.count()
                var stored = LineItemResults()
                stored.reserveCapacity(count)
                for _ in 0..<count {
                    let index = try input.count()
                    guard index < students.count else { throw LedgerError("a section history names a student it does not list") }
                    stored.append(students[index], try input.state(base: base))
                }
                history.resultsByLineItem[item] = stored
            }

            let looseCount = try input.count()
            for _ in 0..<looseCount {
                let id = try input.string()
                history.looseResults[id] = try input.state(base: base)
            }
            guard input.atEnd else { throw LedgerError("a section history has bytes after its end") }
            return history
        }
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded())
    }

    // MARK: Bytes

    struct Writer {
        var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(4096) }

        mutating func byte(_ b: UInt8) { bytes.append(b) }

        mutating func unsigned(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func signed(_ value: Int64) {
            unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
        }

        mutating func string(_ text: String) {
            var text = text
            text.withUTF8 { utf8 in
                unsigned(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func date(_ d: LocalDate) {
            unsigned(UInt64(max(0, d.year)))
            byte(UInt8(truncatingIfNeeded: d.month))
            byte(UInt8(truncatingIfNeeded: d.day))
        }

        mutating func grade(_ g: GradeValue) {
            switch g {
            case .exempt:
                byte(0)
            case .score(let value):
                byte(1 &+ value.scale)
                signed(value.mantissa)
            }
        }

        mutating func state(_ s: ResultState, base: Int64) {
            var flags: UInt8 = 0
            if s.sent != nil { flags |= Flag.sent }
            if s.sentAt != nil { flags |= Flag.sentAt }
            if s.seen != nil { flags |= Flag.seen }
            if s.seenSince != nil { flags |= Flag.seenSince }
            let seenIsSent = s.seen != nil && s.seen == s.sent
            let sentAt = s.sentAt.map(SectionHistoryCoding.seconds)
            let seenSince = s.seenSince.map(SectionHistoryCoding.seconds)
            let seenSinceIsSentAt = seenSince != nil && seenSince == sentAt
            if seenIsSent { flags |= Flag.seenIsSent }
            if seenSinceIsSentAt { flags |= Flag.seenSinceIsSentAt }
            if s.held { flags |= Flag.held }
            byte(flags)
            if let sent = s.sent { grade(sent) }
            if let sentAt { signed(sentAt &- base) }
            if let seen = s.seen, !seenIsSent { grade(seen) }
            if let seenSince, !seenSinceIsSentAt { signed(seenSince &- base) }
        }
    }

    /// What a record holds before its results: the time base, the students its results index
    /// into, the line items' fingerprints and the held line items. Read by both decoders (the
    /// whole history, ``decode(_:)``, and the streamed one, ``StoredSectionHistory``).
    struct Header {
        var base: Int64
        var students: [String]
        var lineItems: [String: LineItemFingerprint]
        var heldLineItems: Set<String>
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var atEnd: Bool { offset == bytes.count }

        static let damaged = LedgerError("a section history record is damaged")

        /// The version byte and the ``Header``.
        /// - Throws: ``LedgerError`` for an unknown version or a record cut short.
        mutating func header() throws -> Header {
            let storedVersion = try byte()
            guard storedVersion == SectionHistoryCoding.version || storedVersion == SectionHistoryCoding.versionWithHolds else {
                throw LedgerError("a section history has an unknown version")
            }
            let base = try signed()
            let studentCount = try count()
            var students: [String] = []
            students.reserveCapacity(studentCount)
            for _ in 0..<studentCount { students.append(try string()) }
            let fingerprintCount = try count()
            var lineItems: [String: LineItemFingerprint] = [:]
            lineItems.reserveCapacity(fingerprintCount)
            for _ in 0..<fingerprintCount {
                let id = try string()
                let title = try string()
                let category = try string()
                let assign = try date()
                let due = try date()
                let max = try decimal()
                lineItems[id] = LineItemFingerprint(title: title, categorySourcedID: category, assignDate: assign, dueDate: due, resultValueMax: max)
            }
            var held: Set<String> = []
            if storedVersion == SectionHistoryCoding.versionWithHolds {
                let heldCount = try count()
                for _ in 0..<heldCount { held.insert(try string()) }
            }
            return Header(base: base, students: students, lineItems: lineItems, heldLineItems: held)
        }

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw Self.damaged }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func unsigned() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Self.damaged }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }

        mutating func signed() throws -> Int64 {
            let u = try unsigned()
            return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
        }

        mutating func count() throws -> Int {
            let n = try unsigned()
            guard n <= UInt64(bytes.count) * 8 + 1 else { throw Self.damaged }
            return Int(n)
        }

        mutating func string() throws -> String {
            let n = try count()
            guard n <= bytes.count - offset else { throw Self.damaged }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
            offset += n
            guard let text = UTF8Text.decode(slice.bindMemory(to: UInt8.self)) else { throw Self.damaged }
            return text
        }

        mutating func date() throws -> LocalDate {
            let year = try unsigned()
            let month = try byte()
            let day = try byte()
            guard year < 100_000 else { throw Self.damaged }
            return LocalDate(year: Int(year), month: Int(month), day: Int(day))
        }

        mutating func decimal() throws -> ExactDecimal {
            let mantissa = try signed()
            let scale = try byte()
            guard scale <= 18 else { throw Self.damaged }
            return ExactDecimal(mantissa: mantissa, scale: scale)
        }

        mutating func grade() throws -> GradeValue {
            let tag = try byte()
            if tag == 0 { return .exempt }
            let scale = tag - 1
            guard scale <= 18 else { throw Self.damaged }
            return .score(ExactDecimal(mantissa: try signed(), scale: scale))
        }

        mutating func state(base: Int64) throws -> ResultState {
            let flags = try byte()
            var s = ResultState(held: flags & Flag.held != 0)
            if flags & Flag.sent != 0 { s.sent = try grade() }
            if flags & Flag.sentAt != 0 { s.sentAt = Date(timeIntervalSince1970: TimeInterval(try signed() &+ base)) }
            if flags & Flag.seen != 0 {
                if flags & Flag.seenIsSent != 0 {
                    guard let sent = s.sent else { throw Self.damaged }
                    s.seen = sent
                } else {
                    s.seen = try grade()
                }
            }
            if flags & Flag.seenSince != 0 {
                if flags & Flag.seenSinceIsSentAt != 0 {
                    guard let at = s.sentAt else { throw Self.damaged }
                    s.seenSince = at
                } else {
                    s.seenSince = Date(timeIntervalSince1970: TimeInterval(try signed() &+ base))
                }
            }
            return s
        }
    }
}

/// The ledger is damaged or refused an operation.
struct LedgerError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
}
