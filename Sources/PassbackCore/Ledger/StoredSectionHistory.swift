import Foundation

/// A section's stored history (``SectionHistoryCoding``) read one line item at a time: the diff
/// decodes a line item's results only when it reaches that line item, so a section of millions of
/// results never has them all decoded at once (issue 12; decoded, a result took some 80 bytes,
/// encoded it takes about 8).
///
/// Opening checks the whole record as ``SectionHistoryCoding/decode(_:)`` does (same errors) and
/// notes where each line item's results lie; the students, fingerprints and held line items are
/// decoded at once (a few per result at most).
struct StoredSectionHistory: Sendable {
    /// The record as stored; empty for a section without history.
    let data: Data
    /// The base time of the record's times (Unix seconds).
    let base: Int64
    let students: [String]
    let lineItems: [String: LineItemFingerprint]
    let heldLineItems: Set<String>
    let looseResults: [String: ResultState]
    /// Where each line item's results are.
    let spans: [String: Span]

    /// One line item's results in ``data``.
    struct Span: Sendable {
        /// Byte range of the results (student index and state, one after the other).
        var bytes: Range<Int>
        var count: Int
        /// The first result's time with one (`sentAt`, else `seenSince`), in Unix seconds: the
        /// encoder's base time comes from it.
        var firstTime: Int64?
        /// Whether a result is held.
        var held: Bool
    }

    static let empty = StoredSectionHistory()

    private init() {
        data = Data()
        base = 0
        students = []
        lineItems = [:]
        heldLineItems = []
        looseResults = [:]
        spans = [:]
    }

    /// - Throws: ``LedgerError`` when the record is damaged (exactly when
    ///   ``SectionHistoryCoding/decode(_:)`` throws).
    init(_ data: Data) throws {
        self.data = data
        var loose: [String: ResultState] = [:]
        var spans: [String: Span] = [:]
        let header = try data.withUnsafeBytes { raw in
            var input = SectionHistoryCoding.Reader(bytes: raw)
            let header = try input.header()
            let base = header.base
            let studentCount = header.students.count
            let itemCount = try input.count()
            spans.reserveCapacity(itemCount)
            for _ in 0..<itemCount {
                let item = try input.string()
                let count = try input.count()
                let start = input.offset
                var firstTime: Int64?
                var anyHeld = false
                for _ in 0..<count {
                    let index = try input.count()
                    guard index < studentCount else { throw LedgerError("a section history names a student it does not list") }
                    let state = try input.state(base: base)
                    if firstTime == nil, let t = state.sentAt ?? state.seenSince { firstTime = SectionHistoryCoding.seconds(t) }
                    if state.held { anyHeld = true }
                }
                spans[item] = Span(bytes: start..<input.offset, count: count, firstTime: firstTime, held: anyHeld)
            }
            let looseCount = try input.count()
            for _ in 0..<looseCount {
                let id = try input.string()
                loose[id] = try input.state(base: base)
            }
            guard input.atEnd else { throw LedgerError("a section history has bytes after its end") }
            return header
        }
        base = header.base
        students = header.students
        lineItems = header.lineItems
        heldLineItems = header.heldLineItems
        looseResults = loose
        self.spans = spans
    }

    /// Opens the stored record of a section, or the empty history when there is none.
    init(_ data: Data?) throws {
        if let data { try self.init(data) } else { self = .empty }
    }

    /// A line item's stored results, decoded; `nil` when the record has none for it.
    func results(of item: String) -> LineItemResults? {
        guard let span = spans[item] else { return nil }
        var results = LineItemResults()
        results.reserveCapacity(span.count)
        data.withUnsafeBytes { raw in
            var input = SectionHistoryCoding.Reader(bytes: raw)
            input.offset = span.bytes.lowerBound
            for _ in 0..<span.count {
                // Checked when the record was opened.
                let index = try! input.count()
                results.append(students[index], try! input.state(base: base))
            }
        }
        return results
    }

    /// The whole history, decoded (for tools and tests; the diff reads line item by line item).
    var decoded: SectionHistory {
        var history = SectionHistory(lineItems: lineItems)
        history.heldLineItems = heldLineItems
        history.looseResults = looseResults
        for item in spans.keys { history.resultsByLineItem[item] = results(of: item) }
        return history
    }
}
