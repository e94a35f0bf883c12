/// Upper bounds a ``CSVReader`` enforces so that a damaged or hostile file fails with a clear
/// message instead of making the reader hold it all in memory.
///
/// The defaults are far above anything Canvas or Aspire write (a gradebook cell is a few bytes, a
/// student row with 2,000 assignments about 20 KB, the longest header a few hundred KB) and far
/// below what would hurt a nightly batch on a small machine.
package struct CSVLimits: Sendable, Equatable {
    /// The longest field, after unescaping. Default 256 KiB: a custom gradebook column or a
    /// category title never comes near it, while a file with a stray quote (which turns the rest
    /// of the file into one field) hits it quickly.
    var maximumFieldBytes: Int
    /// The longest record, counted in raw bytes. Default 16 MiB.
    var maximumRecordBytes: Int
    /// The most fields one record may have. Default 131,072.
    var maximumFieldCount: Int

    init(maximumFieldBytes: Int = 256 << 10, maximumRecordBytes: Int = 16 << 20, maximumFieldCount: Int = 1 << 17) {
        precondition(maximumFieldBytes > 0 && maximumRecordBytes > 0 && maximumFieldCount > 0)
        self.maximumFieldBytes = maximumFieldBytes
        self.maximumRecordBytes = maximumRecordBytes
        self.maximumFieldCount = maximumFieldCount
    }

    /// The defaults.
    static let standard = CSVLimits()
}
