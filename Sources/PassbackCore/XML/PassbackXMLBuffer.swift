/// Renders one Aspire passback XML document (spec section 5.1) into bytes, exactly as
/// libxml2's `xmlTextWriter`, indented by two spaces, writes it (the tests compare the two): same
/// declaration, indentation and line ends, and libxml2's escaping. In element text `<`, `>`,
/// `&`, `"` and CR become `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#13;` (`xmlEncodeSpecialChars`);
/// in attribute values also LF and tab become `&#10;` and `&#9;` (`xmlBufAttrSerializeTxtContent`);
/// other characters, non-ASCII included, are written as they are (UTF-8). The same guarantees as the libxml2 writer are enforced, with the same
/// messages: characters XML 1.0 cannot carry, an active result without score status or date.
///
/// Why not the libxml2 writer in production: on a district's bulk night `xmlTextWriter` cost
/// about a third of the run's CPU, this buffer a small fraction of that (docs/PERFORMANCE.md,
/// "Measurements behind design choices"). Nothing is lost in checking: every file is still validated
/// against the XSD by libxml2's streaming validator before it is published, and a test renders
/// documents with both writers and requires the same bytes.
struct PassbackXMLBuffer {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    /// The XML declaration and the `GradePassback` start tag.
    mutating func begin(_ header: PassbackHeader) throws {
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GradePassback xmlns=\"urn:aspire-passback:1\" schemaVersion=\"1\" runId=\"")
        try attribute(header.runID, "runId")
        raw("\" mode=\"")
        raw(header.mode.rawValue)
        raw("\" generatedAt=\"")
        try attribute(ISOTimestamp.format(header.generatedAt), "generatedAt")
        raw("\">\n")
    }

    /// Writes one `Section`; with `file`, the bytes go to it whenever more than 256 KiB are
    /// waiting, so a large section does not grow the buffer.
    mutating func write(_ section: PassbackSection, flushingTo file: PassbackOutputFile? = nil) throws {
        guard !section.lineItems.isEmpty else {
            try sectionStart(section)
            // libxml2 closes an element without content as an empty element.
            raw("\"/>\n")
            return
        }
        try begin(section)
        for item in section.lineItems {
            try write(item)
            if let file, bytes.count >= Self.flushSize { try flush(to: file) }
        }
        endSection()
    }

    /// Bytes waiting before they are written to the file.
    static let flushSize = 1 << 18

    /// The `Section` start tag of a section with line items (written then one at a time with
    /// ``write(_:)-lineItem``, and closed by ``endSection()``).
    mutating func begin(_ section: PassbackSection) throws {
        try sectionStart(section)
        raw("\">\n")
    }

    mutating func endSection() {
        raw(Self.sectionEnd)
    }

    /// What ends a section and what ends the document; a file validated in parts
    /// (``PassbackValidationPlan``) ends each part but the last with both.
    static let sectionEnd: StaticString = "  </Section>\n"
    static let documentEnd: StaticString = "</GradePassback>\n"

    private mutating func sectionStart(_ section: PassbackSection) throws {
        raw("  <Section classSourcedId=\"")
        try attribute(section.classSourcedID, "classSourcedId")
        raw("\" termSourcedId=\"")
        try attribute(section.termSourcedID, "termSourcedId")
        raw("\" schoolId=\"")
        try attribute(section.schoolID, "schoolId")
        raw("\" canvasCourseId=\"")
        try attribute(section.canvasCourseID, "canvasCourseId")
        raw("\" canvasSectionId=\"")
        try attribute(section.canvasSectionID, "canvasSectionId")
    }

    mutating func finish() {
        raw(Self.documentEnd)
    }

    /// Appends the waiting bytes to `file` and empties the buffer.
    mutating func flush(to file: PassbackOutputFile) throws {
        let ok = bytes.withUnsafeBytes { file.append($0) }
        bytes.removeAll(keepingCapacity: true)
        guard ok else { throw PassbackWriterError(file.failure ?? "cannot write \(file.path)") }
    }

    /// Appends one line item.
    /// - Returns: where its results are in ``bytes`` (empty, at the end tag, when it has none):
    ///   a file validated in parts leaves them out of the part that checks the line items' ids.
    @discardableResult
    mutating func write(_ item: PassbackLineItem) throws -> Range<Int> {
        raw("    <LineItem sourcedId=\"")
        try attribute(item.sourcedID, "sourcedId")
        raw("\" status=\"")
        raw(item.status.rawValue)
        raw("\">\n      <Title>")
        try text(item.title, "Title")
        raw("</Title>\n      <CategorySourcedId>")
        try text(item.categorySourcedID, "CategorySourcedId")
        raw("</CategorySourcedId>\n      <AssignDate>")
        date(item.assignDate)
        raw("</AssignDate>\n      <DueDate>")
        date(item.dueDate)
        raw("</DueDate>\n      <ResultValueMin>")
        decimal(item.resultValueMin)
        raw("</ResultValueMin>\n      <ResultValueMax>")
        decimal(item.resultValueMax)
        raw("</ResultValueMax>\n")
        let resultsStart = bytes.count
        for result in item.results {
            try write(result)
        }
        let resultsEnd = bytes.count
        raw("    </LineItem>\n")
        return resultsStart..<resultsEnd
    }

    private mutating func write(_ result: PassbackResult) throws {
        raw("      <Result sourcedId=\"")
        try attribute(result.sourcedID, "sourcedId")
        raw("\" status=\"")
        raw(result.status.rawValue)
        raw("\">\n        <StudentSourcedId>")
        try text(result.studentSourcedID, "StudentSourcedId")
        raw("</StudentSourcedId>\n")
        if result.status == .active {
            guard let scoreStatus = result.scoreStatus, let scoreDate = result.scoreDate else {
                throw PassbackWriterError(
                    "result \(result.sourcedID) is active but has no \(result.scoreStatus == nil ? "score status" : "score date"); only a deletion may leave them out")
            }
            raw("        <ScoreStatus>")
            raw(scoreStatus.rawValue)
            raw("</ScoreStatus>\n")
            if scoreStatus != .exempt, let score = result.score {
                raw("        <Score>")
                decimal(score)
                raw("</Score>\n")
            }
            raw("        <ScoreDate>")
            date(scoreDate)
            raw("</ScoreDate>\n")
        }
        raw("      </Result>\n")
    }

    // MARK: Bytes

    private mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Text the project made (enumerations, never special characters).
    private mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// The fast path of text and attributes: appends `value` as it is when it holds nothing to
    /// escape or refuse (no control character, quote, `&`, `<`, `>`, nor a byte that may start
    /// U+FFFE/U+FFFF), and says whether it did.
    private mutating func appendIfPlain(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0xEF {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
    }

    /// Element text, escaped as libxml2's `xmlEncodeSpecialChars`.
    private mutating func text(_ value: String, _ field: String) throws {
        if appendIfPlain(value) { return }
        try Self.requireXMLCharacters(value, field)
        for byte in value.utf8 {
            switch byte {
            case 0x3C: raw("&lt;")
            case 0x3E: raw("&gt;")
            case 0x26: raw("&amp;")
            case 0x22: raw("&quot;")
            case 0x0D: raw("&#13;")
            default: bytes.append(byte)
            }
        }
    }

    /// An attribute value, escaped as libxml2's `xmlBufAttrSerializeTxtContent`.
    private mutating func attribute(_ value: String, _ field: String) throws {
        if appendIfPlain(value) { return }
        try Self.requireXMLCharacters(value, field)
        for byte in value.utf8 {
            switch byte {
            case 0x0A: raw("&#10;")
            case 0x0D: raw("&#13;")
            case 0x09: raw("&#9;")
            case 0x22: raw("&quot;")
            case 0x3C: raw("&lt;")
            case 0x3E: raw("&gt;")
            case 0x26: raw("&amp;")
            default: bytes.append(byte)
            }
        }
    }

    /// `YYYY-MM-DD`, as ``LocalDate/description``.
    private mutating func date(_ d: LocalDate) {
        guard (0...9999).contains(d.year), (0...99).contains(d.month), (0...99).contains(d.day) else {
            raw(d.description)
            return
        }
        digits(d.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        digits(d.month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        digits(d.day, width: 2)
    }

    private mutating func digits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Plain decimal notation, as ``ExactDecimal/description``.
    private mutating func decimal(_ value: ExactDecimal) {
        var magnitude = value.mantissa.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: up to 20 digits
        let scale = Int(value.scale)
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var count = 0
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            // At least one digit before the point.
            while count <= scale {
                buffer[23 - count] = UInt8(ascii: "0")
                count += 1
            }
            if value.mantissa < 0 { bytes.append(UInt8(ascii: "-")) }
            let first = 24 - count
            let point = 24 - scale
            bytes.append(contentsOf: buffer[first..<point])
            if scale > 0 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: buffer[point..<24])
            }
        }
    }

    /// XML 1.0's `Char`: tab, line feed, carriage return, and U+0020 up, except U+FFFE and U+FFFF.
    /// Same check and message as the libxml2 reference writer of the tests.
    static func requireXMLCharacters(_ value: String, _ field: String) throws {
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if v >= 0x20 ? (v == 0xFFFE || v == 0xFFFF) : (v != 0x09 && v != 0x0A && v != 0x0D) {
                let code = String(v, radix: 16, uppercase: true)
                throw PassbackWriterError("\(field) '\(value.prefix(60))' contains U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code), which XML cannot carry")
            }
        }
    }
}
