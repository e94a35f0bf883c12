/// CSV as a spreadsheet should open it: RFC 4180 quoting, and text that a spreadsheet would take
/// for a formula made inert.
///
/// A cell starting with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading `'` (OWASP's advice on
/// CSV injection), so `=HYPERLINK(...)` in an assignment name shows as text in Excel and
/// LibreOffice. A cell with a quote, comma, CR or LF is quoted, quotes doubled.
public enum SpreadsheetCSV {
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    public static let lineEnd: [UInt8] = [0x0D, 0x0A]

    /// Appends one record (cells and CRLF) to `buffer`.
    public static func appendRecord(_ cells: [String], to buffer: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            appendCell(cell, to: &buffer)
        }
        buffer.append(contentsOf: lineEnd)
    }

    public static func appendCell(_ cell: String, to buffer: inout [UInt8]) {
        let utf8 = cell.utf8
        let guarded = utf8.first.map(startsFormula) ?? false
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: ",") || $0 == 0x0D || $0 == 0x0A }
        if needsQuotes { buffer.append(UInt8(ascii: "\"")) }
        if guarded { buffer.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
        } else {
            buffer.append(contentsOf: utf8)
        }
        if needsQuotes { buffer.append(UInt8(ascii: "\"")) }
    }

    @inline(__always)
    static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, 0x0A: return true
        default: return false
        }
    }
}
