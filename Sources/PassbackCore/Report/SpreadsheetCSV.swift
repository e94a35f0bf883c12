/// CSV as a spreadsheet should open it: RFC 4180 quoting, and text that a spreadsheet would take
/// for a formula made inert.
///
/// A cell starting with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading `'` (OWASP's advice on
/// CSV injection), so `=HYPERLINK(...)` in an assignment name shows as text in Excel and
/// LibreOffice. A cell with a quote, comma, CR or LF is quoted, quotes doubled.
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
            guard let first = bytes.first else { return }
            let guarded = startsFormula(first)
            var needsQuotes = false
            for byte in bytes where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: ",") || byte == 0x0D || byte == 0x0A {
                needsQuotes = true
                break
            }
            if needsQuotes { buffer.append(UInt8(ascii: "\"")) }
            if guarded { buffer.append(UInt8(ascii: "'")) }
            if needsQuotes {
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                    buffer.append(byte)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer.append(contentsOf: bytes)
            }
        }
    }

    @inline(__always)
    static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, 0x0A: return true
        default: return false
        }
    }
}
