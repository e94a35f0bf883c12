/// Writes `reports/<run id>.csv`: UTF-8 with a byte-order mark and CRLF line ends (it is opened
/// in Excel), the columns of ``ReportRow/columns``, formula-looking text made inert. Rows stream
/// to a temporary file that is published complete.
final class ReportWriter {
    private let file: DurableFile
    private var buffer: [UInt8] = []
    private(set) var rowCount = 0

    init(path: String) throws {
        file = try DurableFile(finalPath: path)
        buffer.append(contentsOf: SpreadsheetCSV.byteOrderMark)
        SpreadsheetCSV.appendRecord(ReportRow.columns, to: &buffer)
    }

    func append(_ row: ReportRow) throws {
        SpreadsheetCSV.appendRecord(row.cells, to: &buffer)
        rowCount += 1
        if buffer.count >= 1 << 16 { try file.write(&buffer) }
    }

    /// Appends records already encoded by ``SpreadsheetCSV`` (rows committed to the ledger).
    func appendRaw(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try file.write(&buffer) }
    }

    /// Writes the rest and publishes the file.
    func finish() throws {
        try file.write(&buffer)
        try file.publish()
    }
}
