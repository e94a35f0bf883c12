import Foundation

/// The next version of a section's history, made one line item at a time while the diff walks
/// the section (issue 12): a line item the diff changed is encoded at once and its decoded results
/// dropped; one it left alone keeps its bytes in the stored record. ``encoded(lineItems:heldLineItems:)``
/// then writes the record, byte for byte what ``SectionHistoryCoding/encode(_:)`` writes for the
/// same history (its tests and the ledgers of earlier releases rely on that layout).
///
/// The layout lists the section's students first, numbered in the order the sorted line items
/// first name them, and takes its base time from the first sorted line item with a time; neither
/// is known before the last line item. So a line item is encoded with provisional numbers (the
/// stored record's, then new students in the order met) and the stored base time, and the record
/// is put together at the end: each line item's bytes copied as they are when the numbering and
/// base time came out the same (the usual case), else re-encoded.
struct SectionHistoryBuilder: Sendable {
    private let stored: StoredSectionHistory
    /// The base time of the line items encoded here (the stored record's when there is one).
    private let provisionalBase: Int64
    /// Provisional numbering: the stored record's students, then new ones.
    private var students: [String]
    private var number: [String: Int] = [:]
    private var numbered = false
    private var previous: (students: [String], numbers: [Int]) = ([], [])
    private var parts: [String: Part]

    private enum Part: Sendable {
        case stored(StoredSectionHistory.Span)
        case encoded(Chunk)

        var count: Int {
            switch self {
            case .stored(let span): span.count
            case .encoded(let chunk): chunk.count
            }
        }

        var firstTime: Int64? {
            switch self {
            case .stored(let span): span.firstTime
            case .encoded(let chunk): chunk.firstTime
            }
        }

        var held: Bool {
            switch self {
            case .stored(let span): span.held
            case .encoded(let chunk): chunk.held
            }
        }

        var isEncoded: Bool {
            switch self {
            case .stored: false
            case .encoded: true
            }
        }
    }

    /// The base time a line item's bytes are written with.
    private func base(of part: Part) -> Int64 {
        part.isEncoded ? provisionalBase : stored.base
    }

    /// One line item's results: provisional student number and state (at the provisional base),
    /// one after the other.
    private struct Chunk: Sendable {
        var bytes: [UInt8]
        var count: Int
        var firstTime: Int64?
        var held: Bool
    }

    /// - Parameter baseHint: the base time when nothing is stored (the run's clock).
    init(stored: StoredSectionHistory, baseHint: Date) {
        self.stored = stored
        provisionalBase = stored.data.isEmpty ? SectionHistoryCoding.seconds(baseHint) : stored.base
        students = stored.students
        parts = stored.spans.mapValues { .stored($0) }
    }

    /// How many line items have results encoded here rather than kept from the stored record.
    var encodedLineItems: Int {
        parts.values.filter(\.isEncoded).count
    }

    /// Sets a line item's results (replacing what is stored for it).
    mutating func replace(_ item: String, with results: LineItemResults) {
        if !numbered {
            number.reserveCapacity(students.count)
            for (index, student) in students.enumerated() where number[student] == nil { number[student] = index }
            numbered = true
        }
        var out = SectionHistoryCoding.Writer()
        out.bytes.reserveCapacity(results.count * 8)
        var numbers: [Int] = []
        numbers.reserveCapacity(results.count)
        var firstTime: Int64?
        var held = false
        for i in 0..<results.count {
            let student = results.students[i]
            let n: Int
            if i < previous.students.count, previous.students[i] == student {
                n = previous.numbers[i]
            } else if let known = number[student] {
                n = known
            } else {
                n = students.count
                number[student] = n
                students.append(student)
            }
            numbers.append(n)
            let state = results.states[i]
            if firstTime == nil, let t = state.sentAt ?? state.seenSince { firstTime = SectionHistoryCoding.seconds(t) }
            if state.held { held = true }
            out.unsigned(UInt64(n))
            out.state(state, base: provisionalBase)
        }
        previous = (results.students, numbers)
        parts[item] = .encoded(Chunk(bytes: out.bytes, count: results.count, firstTime: firstTime, held: held))
    }

    /// The record of the history made: the stored fingerprints and held line items replaced by
    /// `lineItems` and `heldLineItems`, the results as replaced, the other results as stored.
    ///
    /// Each line item's encoded bytes are let go once copied into the record, so a section's
    /// results are held about once while the record is made, not twice (issue 12: two sections of
    /// 3.5 million results made their records at the same time, 24 MB each); the builder is left
    /// without line items.
    mutating func takeRecord(lineItems: [String: LineItemFingerprint], heldLineItems: Set<String>) -> Data {
        let items = parts.keys.sorted()
        var base: Int64 = 0
        for item in items {
            if let t = parts[item]!.firstTime {
                base = t
                break
            }
        }
        let holds = !heldLineItems.isEmpty || parts.values.contains(where: \.held) || stored.looseResults.values.contains(where: \.held)

        // The final numbering: students in the order the sorted line items first name them.
        var finalNumber = [Int](repeating: -1, count: students.count)
        var order: [Int] = []
        order.reserveCapacity(students.count)
        var estimate = 64
        for item in items {
            let part = parts[item]!
            estimate += item.utf8.count + 10
            forEachResult(part) { local, _, bytes in
                if finalNumber[local] < 0 {
                    finalNumber[local] = order.count
                    order.append(local)
                }
                estimate += bytes.count
            }
        }
        let renumbered = order.indices.contains { order[$0] != $0 }

        var out = DataSink(capacity: estimate + order.reduce(0) { $0 + students[$1].utf8.count + 2 } + lineItems.count * 64)
        out.writer.byte(holds ? SectionHistoryCoding.versionWithHolds : SectionHistoryCoding.version)
        out.writer.signed(base)
        out.writer.unsigned(UInt64(order.count))
        for local in order {
            out.writer.string(students[local])
            out.flushIfFull()
        }
        let fingerprints = lineItems.keys.sorted()
        out.writer.unsigned(UInt64(fingerprints.count))
        for id in fingerprints {
            let f = lineItems[id]!
            out.writer.string(id)
            out.writer.string(f.title)
            out.writer.string(f.categorySourcedID)
            out.writer.date(f.assignDate)
            out.writer.date(f.dueDate)
            out.writer.signed(f.resultValueMax.mantissa)
            out.writer.byte(f.resultValueMax.scale)
            out.flushIfFull()
        }
        if holds {
            let held = heldLineItems.sorted()
            out.writer.unsigned(UInt64(held.count))
            for id in held { out.writer.string(id) }
        }
        out.writer.unsigned(UInt64(items.count))
        for item in items {
            let part = parts[item]!
            out.writer.string(item)
            out.writer.unsigned(UInt64(part.count))
            if !renumbered, self.base(of: part) == base {
                withBytes(of: part) { out.append($0) }
            } else {
                forEachResult(part) { local, state, _ in
                    out.writer.unsigned(UInt64(finalNumber[local]))
                    out.writer.state(state, base: base)
                    out.flushIfFull()
                }
            }
            out.flushIfFull()
            parts[item] = nil
        }
        let loose = stored.looseResults.keys.sorted()
        out.writer.unsigned(UInt64(loose.count))
        for id in loose {
            out.writer.string(id)
            out.writer.state(stored.looseResults[id]!, base: base)
        }
        return out.finish()
    }

    private func withBytes(of part: Part, _ body: (UnsafeRawBufferPointer) -> Void) {
        switch part {
        case .stored(let span):
            stored.data.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[span.bytes])) }
        case .encoded(let chunk):
            chunk.bytes.withUnsafeBytes(body)
        }
    }

    /// Calls `body` with each result of a line item: its provisional student number, its state,
    /// and its bytes.
    private func forEachResult(_ part: Part, _ body: (Int, ResultState, UnsafeRawBufferPointer) -> Void) {
        let partBase = base(of: part)
        withBytes(of: part) { raw in
            var input = SectionHistoryCoding.Reader(bytes: raw)
            for _ in 0..<part.count {
                let start = input.offset
                // Written here or checked when the stored record was opened.
                let local = try! input.count()
                let state = try! input.state(base: partBase)
                body(local, state, UnsafeRawBufferPointer(rebasing: raw[start..<input.offset]))
            }
        }
    }

    /// Bytes gathered in a small buffer and moved into one `Data` of the expected size, so the
    /// record is never held twice.
    private struct DataSink {
        var data: Data
        var writer = SectionHistoryCoding.Writer()

        init(capacity: Int) { data = Data(capacity: capacity) }

        mutating func flushIfFull() {
            if writer.bytes.count >= 1 << 16 { flush() }
        }

        mutating func flush() {
            data.append(contentsOf: writer.bytes)
            writer.bytes.removeAll(keepingCapacity: true)
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            flush()
            if let start = bytes.baseAddress { data.append(start.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        }

        mutating func finish() -> Data {
            flush()
            return data
        }
    }
}
