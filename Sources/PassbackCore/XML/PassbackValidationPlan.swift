/// Which documents libxml2 validates to check one section's passback file: the file itself, or,
/// when the file holds more than ``resultsPerPart`` results, the file in parts (issue 12).
///
/// Why parts: libxml2's streaming validator keeps every key of the schema's `xs:unique`
/// constraints (each `Result/@sourcedId`, about 200 bytes a result) until the document ends,
/// although `UniqueResult`'s scope is one `LineItem`. A course of 35,000 students and 100
/// assignments sends 3.5 million results in one file: 0.7 GB of libxml2's tables for one file,
/// whatever passback does. Validated in parts, its memory is that of one part.
///
/// The parts are made of the file's own bytes, each validated by libxml2 against the unchanged
/// XSD, and together they check everything the XSD asks of the whole file:
///
/// - **Line item parts**: the file's start (declaration, `GradePassback` and `Section` start
///   tags), then consecutive whole `LineItem`s of the file with at least ``resultsPerPart``
///   results (the last part may have fewer), then the end tags the file ends with
///   (``PassbackXMLBuffer/sectionEnd``, ``PassbackXMLBuffer/documentEnd``; the last part reads
///   the file's own). Every line item is in exactly one part, with the ancestors and namespace
///   declarations it has in the file, so everything the XSD says of a line item and within it
///   (its content, attributes, types, and `UniqueResult`, whose scope is the line item) is
///   checked on the file's bytes.
/// - **The outline part**, when there is more than one line item part: the whole file without
///   the `Result` elements of its line items (the schema lets a line item have none). It checks
///   what spans line items: the section's content and `UniqueLineItem` (every line item's
///   `sourcedId` in one document), the root's content and `UniqueSection`, and the file's own end.
///
/// The file is then valid exactly when every part is: the parts' line item ranges are
/// consecutive and cover everything between the section's start tag and its end tag, so the file
/// is the start, the line items and the end of valid documents put together. This rests on the
/// XSD having no constraint that spans line items other than `UniqueLineItem` (no `xs:ID`,
/// `xs:key` or `xs:keyref`, no other `xs:unique`): `PassbackValidationPlanTests` reads the XSD
/// and fails when that changes. A file with at most ``resultsPerPart`` results is one part: the
/// file, validated as it always was; so is every file of a district's ordinary night.
struct PassbackValidationPlan: Sendable {
    /// A piece of a part: bytes of the file, or bytes the file is known to end with.
    enum Segment: Sendable, Equatable {
        /// The file's bytes from `start` to `end`; to the end of what is written, waiting for
        /// more, while `end` is nil.
        case file(start: Int, end: Int?)
        case bytes([UInt8])
    }

    /// One document libxml2 validates.
    struct Part: Sendable, Equatable {
        var segments: [Segment]
    }

    /// Where a line item is in the file.
    struct LineItemSpan: Sendable, Equatable {
        var range: Range<Int>
        /// Its `Result` elements (empty, at its end tag, when it has none).
        var results: Range<Int>
        var resultCount: Int
    }

    /// The most results a part holds before the next line item starts another. 50,000 results
    /// keep libxml2's tables near 10 MB per file being validated; a district's sections have a
    /// few thousand, so their files are validated whole.
    static let defaultResultsPerPart = 50_000

    let resultsPerPart: Int
    /// The file's start: the declaration, the `GradePassback` and `Section` start tags.
    let start: Range<Int>
    /// The parts complete so far.
    private(set) var finishedParts: [Part] = []
    /// The part being written: its segments so far (its last one open).
    private(set) var openPart: Part
    private var resultsInOpenPart = 0
    private(set) var lineItems: [LineItemSpan] = []
    private(set) var isFinished = false

    /// A plan for a file whose start (up to the end of the `Section` start tag) is `startLength`
    /// bytes long.
    init(startLength: Int, resultsPerPart: Int = Self.defaultResultsPerPart) {
        precondition(resultsPerPart > 0)
        self.resultsPerPart = resultsPerPart
        start = 0..<startLength
        openPart = Part(segments: [.file(start: 0, end: nil)])
    }

    /// Every part known, the open one last while the file is being written.
    var parts: [Part] {
        isFinished ? finishedParts : finishedParts + [openPart]
    }

    /// A line item has been written at `span`; the open part ends after it once it holds
    /// ``resultsPerPart`` results.
    mutating func wrote(_ span: LineItemSpan) {
        precondition(!isFinished)
        // The parts cover the file only if the line items follow each other from the start on.
        precondition(span.range.lowerBound == (lineItems.last?.range.upperBound ?? start.upperBound), "line items must be consecutive")
        lineItems.append(span)
        resultsInOpenPart += span.resultCount
        guard resultsInOpenPart >= resultsPerPart else { return }
        closeOpenPart(at: span.range.upperBound, with: .bytes(Self.ends))
        openPart = Part(segments: [.file(start: start.lowerBound, end: start.upperBound), .file(start: span.range.upperBound, end: nil)])
        resultsInOpenPart = 0
    }

    /// The file is complete at `size` bytes: the open part ends with the file (after the last
    /// part's line items, it is the file's start and end: a section without line items, which
    /// checks the file's own end), and a file of several parts gets its outline part.
    mutating func finish(size: Int) {
        precondition(!isFinished)
        isFinished = true
        closeOpenPart(at: size, with: nil)
        guard finishedParts.count > 1 else { return }
        var outline: [Segment] = []
        var from = 0
        for item in lineItems where !item.results.isEmpty {
            outline.append(.file(start: from, end: item.results.lowerBound))
            from = item.results.upperBound
        }
        outline.append(.file(start: from, end: size))
        finishedParts.append(Part(segments: outline))
    }

    /// How many parts there are so far, the open one included.
    var partCount: Int { finishedParts.count + (isFinished ? 0 : 1) }

    /// The segment `index` of part `part`, nil when there is none (yet).
    func segment(_ index: Int, ofPart part: Int) -> Segment? {
        let segments = part < finishedParts.count ? finishedParts[part].segments : (part == finishedParts.count && !isFinished ? openPart.segments : [])
        return index < segments.count ? segments[index] : nil
    }

    /// Whether part `part` has all its segments.
    func isComplete(part: Int) -> Bool { part < finishedParts.count }

    private mutating func closeOpenPart(at end: Int, with ending: Segment?) {
        guard case .file(let from, nil) = openPart.segments.last else { preconditionFailure("the open part ends with the open file range") }
        openPart.segments[openPart.segments.count - 1] = .file(start: from, end: end)
        if let ending { openPart.segments.append(ending) }
        finishedParts.append(openPart)
    }

    /// The end tags of a section's file, which close every part but the last.
    static let ends: [UInt8] = {
        func bytes(_ text: StaticString) -> [UInt8] { Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        return bytes(PassbackXMLBuffer.sectionEnd) + bytes(PassbackXMLBuffer.documentEnd)
    }()
}
