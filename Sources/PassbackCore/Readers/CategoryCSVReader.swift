import Foundation

/// Reads an Aspire category export in its CSV form (`*.categories.csv`, spec section 2.1) into an
/// ``AspireCategoryExport``.
///
/// The header names the columns, in any order, matched case-insensitively after trimming; unknown
/// columns are ignored. `,` separates fields, or `;` when the header line has no comma. Each row
/// goes through ``AspireCategoryFields``, the same checks as the XML form.
///
/// What stops the file (an ``InputFileError`` `malformed-file`, with the line when one is to
/// blame): anything the ``CSVReader`` refuses; an empty file; a missing required column (all
/// missing ones are named) or a known column twice; a row with more or fewer fields than the
/// header; a row that breaks a field rule; the same (term, section, category) twice; a header
/// with no categories under it. Blank lines are skipped.
package struct CategoryCSVReader: Sendable {
    /// Bytes per read; tests use a few bytes to put chunk boundaries everywhere.
    var chunkSize: Int
    var limits: CSVLimits

    package init(chunkSize: Int = CSVReader.defaultChunkSize, limits: CSVLimits = .standard) {
        self.chunkSize = chunkSize
        self.limits = limits
    }

    /// Reads the category export at `path`.
    /// - Throws: ``InputFileError`` for content that breaks the contract, ``FileReadError`` when
    ///   the file cannot be opened or read.
    package func read(fileAt path: String) throws -> AspireCategoryExport {
        var reader = try CSVReader(fileAt: path, chunkSize: chunkSize, limits: limits)
        return try read(&reader)
    }

    /// Reads a category export held in memory.
    /// - Throws: ``InputFileError`` for content that breaks the contract.
    package func read(bytes: [UInt8]) throws -> AspireCategoryExport {
        var reader = CSVReader(bytes: bytes, chunkSize: chunkSize, limits: limits)
        return try read(&reader)
    }

    private static let exportAgain = "Export the categories again from Aspire and drop that file unchanged."

    private func read(_ reader: inout CSVReader) throws -> AspireCategoryExport {
        let leading = try reader.leadingBytes(upTo: 64 << 10)
        let firstLine = leading.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        if !firstLine.contains(UInt8(ascii: ",")), firstLine.contains(UInt8(ascii: ";")) {
            reader.setSeparator(UInt8(ascii: ";"))
        }
        guard try reader.next() else {
            throw InputFileError(.malformedFile, "The file is empty. \(Self.exportAgain)")
        }
        let headerLine = reader.recordLine
        let headerCount = reader.fieldCount
        let columns = try Self.columns(of: try reader.strings(), line: headerLine)

        // The same checks and duplicate detection as the XML form (CategoryExportBuilder).
        var builder = CategoryExportBuilder()
        while try reader.next() {
            if reader.isBlank { continue }
            let line = reader.recordLine
            guard reader.fieldCount == headerCount else {
                throw InputFileError(
                    .malformedFile,
                    "Line \(line) has \(reader.fieldCount) fields but the header has \(headerCount); the file was changed after Aspire exported it, or cut short. \(Self.exportAgain)",
                    line: line
                )
            }
            let attributes = try columns.map { (name: $0.name, value: try reader.string(at: $0.column)) }
            try builder.addCategory(attributes: attributes, line: line)
        }
        guard !builder.export.categories.isEmpty else {
            throw InputFileError(
                .malformedFile,
                "The file has a header but no categories. Export the categories again from Aspire for sections and a term that have categories.",
                line: headerLine
            )
        }
        return builder.export
    }

    /// The column of each known field, by its contract name.
    private static func columns(of titles: [String], line: Int) throws -> [(name: String, column: Int)] {
        let known = AspireCategoryFields.requiredNames + AspireCategoryFields.optionalNames
        var columnOfName: [String: Int] = [:]
        for (column, title) in titles.enumerated() {
            let key = title.trimmingCharacters(in: .whitespaces).lowercased()
            guard let name = known.first(where: { $0.lowercased() == key }) else { continue }
            if let earlier = columnOfName[name] {
                throw InputFileError(
                    .malformedFile,
                    "The header has the \(name) column twice (columns \(earlier + 1) and \(column + 1)), so it is unclear which one to read. \(exportAgain)",
                    line: line
                )
            }
            columnOfName[name] = column
        }
        let missing = AspireCategoryFields.requiredNames.filter { columnOfName[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.joined(separator: ", ")
            throw InputFileError(
                .malformedFile,
                "The header lacks the required column\(missing.count == 1 ? "" : "s") \(list) (columns are found by name, in any order). Is this a category export? \(exportAgain)",
                line: line
            )
        }
        return known.compactMap { name in columnOfName[name].map { (name, $0) } }
    }
}
