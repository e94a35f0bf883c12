/// CSV as a spreadsheet should open it: RFC 4180 quoting, and text that a spreadsheet would take
/// for a formula made inert.
///
/// A cell a spreadsheet could take for a formula gets a leading `'` (OWASP's advice on CSV
/// injection), so `=HYPERLINK(...)` in an assignment name shows as text in Excel and LibreOffice:
/// a cell whose first character that is not blank (space, tab, no-break or zero-width space,
/// ideographic space, byte-order mark) is `=`, `+`, `-`, `@`, CR or LF, or their fullwidth forms
/// `＝＋－＠` (which some spreadsheets read as the ASCII ones), or that starts with a tab. A `;`
/// followed (after blanks) by one of them gets a `'` after it: a spreadsheet that opens the file
/// with `;` as its separator (most of Europe's locales) starts a new cell there, whatever the
/// quotes say, since quotes only count at the start of its cells. A cell with a quote, comma, CR
/// or LF is quoted, quotes doubled.
enum SpreadsheetCSV {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let lineEnd: [UInt8] = [0x0D, 0x0A]

    /// Appends one record (cells and CRLF) to `buffer`.
    static func appendRecord(_ cells: [String], to buffer: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            appendCell(cell, to: &buffer)
        }
        buffer.append(contentsOf: lineEnd)
    }

    static func appendCell(_ cell: String, to buffer: inout [UInt8]) {
        // Scanned as contiguous bytes: a run's report has hundreds of thousands of cells, and
        // walking `String.UTF8View` byte by byte was most of the cost of writing them.
        var cell = cell
        cell.withUTF8 { bytes in
            guard !bytes.isEmpty else { return }
            let guarded = bytes[0] == 0x09 || startsFormula(bytes, at: 0)
            var needsQuotes = false
            var semicolonFormula = false
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: ","), 0x0D, 0x0A: needsQuotes = true
                case UInt8(ascii: ";") where startsFormula(bytes, at: index + 1): semicolonFormula = true
                default: continue
                }
            }
            if needsQuotes { buffer.append(UInt8(ascii: "\"")) }
            if guarded { buffer.append(UInt8(ascii: "'")) }
            if needsQuotes || semicolonFormula {
                for (index, byte) in bytes.enumerated() {
                    if byte == UInt8(ascii: "\""), needsQuotes { buffer.append(byte) }
                    buffer.append(byte)
                    // A reader that splits on `;` starts a cell here: it starts with `'`, as text.
                    if byte == UInt8(ascii: ";"), semicolonFormula, startsFormula(bytes, at: index + 1) { buffer.append(UInt8(ascii: "'")) }
                }
                if needsQuotes { buffer.append(UInt8(ascii: "\"")) }
            } else {
                buffer.append(contentsOf: bytes)
            }
        }
    }

    /// Whether the text from `start` on, blanks skipped, begins with a formula starter.
    static func startsFormula(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x0D, 0x0A:
                return true
            case 0x20, 0x09:
                index += 1
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:  // U+00A0 no-break space
                index += 2
            case 0xE2 where index + 2 < bytes.count, 0xE3 where index + 2 < bytes.count, 0xEF where index + 2 < bytes.count:
                let scalar = (UInt32(byte & 0x0F) << 12) | (UInt32(bytes[index + 1] & 0x3F) << 6) | UInt32(bytes[index + 2] & 0x3F)
                switch scalar {
                case 0xFF1D, 0xFF0B, 0xFF0D, 0xFF20:  // ＝ ＋ － ＠
                    return true
                case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x3000, 0x2000...0x200A, 0x202F, 0x205F:
                    index += 3  // zero-width, joiners, word joiner, BOM, ideographic and other spaces
                default:
                    return false
                }
            default:
                return false
            }
        }
        return false
    }
}
