import Foundation
import Testing

@testable import PassbackCore

/// One record as the tests compare it: where it starts and its fields' bytes.
struct CSVTestRecord: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [[UInt8]]

    init(line: Int, fields: [[UInt8]]) {
        self.line = line
        self.fields = fields
    }

    init(_ line: Int, _ texts: [String]) {
        self.init(line: line, fields: texts.map { Array($0.utf8) })
    }

    var description: String {
        "\(line): \(fields.map { String(decoding: $0, as: UTF8.self).debugDescription })"
    }
}

/// Everything a `CSVReader` produced for one input.
struct CSVTestOutcome: Equatable {
    var records: [CSVTestRecord]
    var hasByteOrderMark: Bool
}

enum CSVTestRead {
    static let chunkSizes = [1, 2, 3, 7, CSVReader.defaultChunkSize]

    static func all(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = CSVReader.defaultChunkSize, limits: CSVLimits = .standard) throws -> CSVTestOutcome {
        var reader = CSVReader(bytes: bytes, separator: separator, chunkSize: chunkSize, limits: limits)
        return try drain(&reader)
    }

    static func all(_ text: String, separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = CSVReader.defaultChunkSize, limits: CSVLimits = .standard) throws -> CSVTestOutcome {
        try all(Array(text.utf8), separator: separator, chunkSize: chunkSize, limits: limits)
    }

    static func drain(_ reader: inout CSVReader) throws -> CSVTestOutcome {
        var records: [CSVTestRecord] = []
        while try reader.next() {
            var fields: [[UInt8]] = []
            for index in 0..<reader.fieldCount { fields.append(Array(reader.field(at: index))) }
            records.append(CSVTestRecord(line: reader.recordLine, fields: fields))
        }
        return CSVTestOutcome(records: records, hasByteOrderMark: reader.hasByteOrderMark)
    }

    /// The error reading `text` throws (at every chunk size, which must agree).
    static func error(_ text: String, limits: CSVLimits = .standard) -> InputFileError? {
        error(Array(text.utf8), limits: limits)
    }

    static func error(_ bytes: [UInt8], limits: CSVLimits = .standard) -> InputFileError? {
        var errors: [InputFileError?] = []
        for chunkSize in chunkSizes {
            do {
                _ = try all(bytes, chunkSize: chunkSize, limits: limits)
                errors.append(nil)
            } catch let error as InputFileError {
                errors.append(error)
            } catch {
                Issue.record("unexpected error \(error)")
                errors.append(nil)
            }
        }
        #expect(Set(errors.map { $0?.description ?? "none" }).count == 1, "chunk sizes disagree: \(errors)")
        return errors[0]
    }
}

/// A deliberately plain RFC 4180 parser over a whole array, written independently of
/// `CSVReader`'s chunked state machine, to compare the two on random inputs.
enum ReferenceCSV {
    struct Failure: Error, Equatable {
        var line: Int
    }

    static func parse(_ bytes: [UInt8], separator: UInt8) throws(Failure) -> [CSVTestRecord] {
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")
        var records: [CSVTestRecord] = []
        var i = 0
        var line = 1
        let n = bytes.count
        while i < n {
            let recordLine = line
            var fields: [[UInt8]] = []
            recordLoop: while true {
                var field: [UInt8] = []
                if i < n, bytes[i] == quote {
                    let quotedLine = line
                    i += 1
                    while true {
                        guard i < n else { throw Failure(line: quotedLine) }
                        let c = bytes[i]
                        if c == quote {
                            if i + 1 < n, bytes[i + 1] == quote {
                                field.append(quote)
                                i += 2
                                continue
                            }
                            i += 1
                            break
                        }
                        if c == 0 { throw Failure(line: line) }
                        if c == cr { line += 1 }
                        if c == lf, bytes[i - 1] != cr { line += 1 }
                        field.append(c)
                        i += 1
                    }
                } else {
                    while i < n, ![separator, cr, lf, quote, 0].contains(bytes[i]) {
                        field.append(bytes[i])
                        i += 1
                    }
                }
                fields.append(field)
                guard i < n else { break recordLoop }
                let c = bytes[i]
                if c == separator {
                    i += 1
                    continue recordLoop
                }
                if c == lf || c == cr {
                    i += 1
                    line += 1
                    if c == cr, i < n, bytes[i] == lf { i += 1 }
                    break recordLoop
                }
                throw Failure(line: line)
            }
            records.append(CSVTestRecord(line: recordLine, fields: fields))
        }
        return records
    }
}

/// A small deterministic generator (SplitMix64), so random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct CSVReaderTests {
    // MARK: csv-spectrum

    static let spectrumCases = [
        "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines", "newlines_crlf",
        "quotes_and_newlines", "simple", "simple_crlf", "utf8",
    ]

    @Test(arguments: spectrumCases, CSVTestRead.chunkSizes)
    func readsCSVSpectrumLikeItsJSON(name: String, chunkSize: Int) throws {
        var reader = try CSVReader(fileAt: Fixture.path("csv-spectrum/\(name).csv"), chunkSize: chunkSize)
        var rows: [[String]] = []
        while try reader.next() { rows.append(try reader.strings()) }
        let json = try Data(contentsOf: Fixture.url("csv-spectrum/\(name).json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: String]])
        let header = try #require(rows.first)
        let actual = rows.dropFirst().map { row in
            Dictionary(uniqueKeysWithValues: zip(header, row).map { ($0, $1) })
        }
        #expect(actual == expected)
        #expect(rows.dropFirst().allSatisfy { $0.count == header.count })
    }

    @Test(arguments: ["empty_crlf", "newlines_crlf", "simple_crlf"])
    func crlfFixturesReallyHoldCarriageReturns(name: String) throws {
        let bytes = try Fixture.bytes("csv-spectrum/\(name).csv")
        #expect(bytes.contains(0x0D))
        #expect(bytes.split(separator: 0x0A).dropLast().allSatisfy { $0.last == 0x0D })
    }

    @Test func keepsLineBreaksInsideQuotedFieldsByteForByte() throws {
        let outcome = try CSVTestRead.all(try Fixture.bytes("csv-spectrum/newlines_crlf.csv"))
        #expect(outcome.records[2].fields[0] == Array("Once upon \r\na time".utf8))
        #expect(outcome.records.map(\.line) == [1, 2, 3, 5])
    }

    // MARK: Record ends and lines

    @Test(arguments: ["a,b\nc,d\n", "a,b\r\nc,d\r\n", "a,b\rc,d\r", "a,b\nc,d", "a,b\r\nc,d", "a,b\rc,d"])
    func everyLineEndEndsARecord(text: String) throws {
        for chunkSize in CSVTestRead.chunkSizes {
            let outcome = try CSVTestRead.all(text, chunkSize: chunkSize)
            #expect(outcome.records == [CSVTestRecord(1, ["a", "b"]), CSVTestRecord(2, ["c", "d"])])
        }
    }

    @Test func countsPhysicalLinesInsideQuotedFields() throws {
        let text = "h\n\"b\nc\r\nd\re\"\nf\n\"x\"\"\r\"\"\ny\"\r\ng\n"
        for chunkSize in CSVTestRead.chunkSizes {
            let outcome = try CSVTestRead.all(text, chunkSize: chunkSize)
            #expect(
                outcome.records == [
                    CSVTestRecord(1, ["h"]), CSVTestRecord(2, ["b\nc\r\nd\re"]), CSVTestRecord(6, ["f"]),
                    CSVTestRecord(7, ["x\"\r\"\ny"]), CSVTestRecord(10, ["g"]),
                ])
        }
    }

    @Test func emptyInputsHaveNoRecords() throws {
        #expect(try CSVTestRead.all("").records.isEmpty)
        #expect(try CSVTestRead.all([0xEF, 0xBB, 0xBF]).records.isEmpty)
        #expect(try CSVTestRead.all([0xEF, 0xBB, 0xBF]).hasByteOrderMark)
    }

    @Test func trailingLineBreakIsNotARecordButAnEmptyLineIs() throws {
        #expect(try CSVTestRead.all("a\n").records == [CSVTestRecord(1, ["a"])])
        #expect(try CSVTestRead.all("a\r\n").records == [CSVTestRecord(1, ["a"])])
        #expect(try CSVTestRead.all("a\n\nb\n").records == [CSVTestRecord(1, ["a"]), CSVTestRecord(2, [""]), CSVTestRecord(3, ["b"])])
        #expect(try CSVTestRead.all("a\r\n\r\nb").records == [CSVTestRecord(1, ["a"]), CSVTestRecord(2, [""]), CSVTestRecord(3, ["b"])])
        #expect(try CSVTestRead.all("a\n\n").records == [CSVTestRecord(1, ["a"]), CSVTestRecord(2, [""])])
    }

    @Test func blankRecordsAreReportedAsBlank() throws {
        var reader = CSVReader(bytes: Array("a,b\n\n,,\n\"\",x\n".utf8))
        var blanks: [Bool] = []
        while try reader.next() { blanks.append(reader.isBlank) }
        #expect(blanks == [false, true, true, false])
    }

    @Test func emptyFieldsAtBothEnds() throws {
        #expect(try CSVTestRead.all(",a,\n").records == [CSVTestRecord(1, ["", "a", ""])])
        #expect(try CSVTestRead.all("a,").records == [CSVTestRecord(1, ["a", ""])])
        #expect(try CSVTestRead.all("\"\",\"\"").records == [CSVTestRecord(1, ["", ""])])
        #expect(try CSVTestRead.all("\"a\"").records == [CSVTestRecord(1, ["a"])])
    }

    @Test func quotedFieldsHoldSeparatorsQuotesAndLineBreaks() throws {
        let text = "\"Archer, Mary\",\"say \"\"hi\"\"\",\"\"\"\",\"a\nb\"\n"
        for chunkSize in CSVTestRead.chunkSizes {
            #expect(try CSVTestRead.all(text, chunkSize: chunkSize).records == [CSVTestRecord(1, ["Archer, Mary", "say \"hi\"", "\"", "a\nb"])])
        }
    }

    @Test func separatorIsConfigurable() throws {
        let outcome = try CSVTestRead.all("a;\"b;c\";9,5\n", separator: UInt8(ascii: ";"))
        #expect(outcome.records == [CSVTestRecord(1, ["a", "b;c", "9,5"])])
    }

    @Test func separatorCanBeChosenAfterPeeking() throws {
        var reader = CSVReader(bytes: [0xEF, 0xBB, 0xBF] + Array("Student;ID\nx;1\n".utf8), chunkSize: 2)
        let leading = try reader.leadingBytes(upTo: 8)
        #expect(leading == Array("Student;".utf8))
        let hasByteOrderMark = reader.hasByteOrderMark
        #expect(hasByteOrderMark)
        reader.setSeparator(UInt8(ascii: ";"))
        let outcome = try CSVTestRead.drain(&reader)
        #expect(outcome.records == [CSVTestRecord(1, ["Student", "ID"]), CSVTestRecord(2, ["x", "1"])])
    }

    // MARK: Byte-order marks and text

    @Test func skipsAndReportsAUTF8ByteOrderMark() throws {
        for chunkSize in CSVTestRead.chunkSizes {
            let with = try CSVTestRead.all([0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8), chunkSize: chunkSize)
            #expect(with.hasByteOrderMark)
            #expect(with.records == [CSVTestRecord(1, ["a", "b"])])
            let without = try CSVTestRead.all("a,b\n", chunkSize: chunkSize)
            #expect(!without.hasByteOrderMark)
            #expect(without.records == with.records)
        }
    }

    @Test(arguments: [[UInt8]([0xFF, 0xFE, 0x61, 0x00]), [0xFE, 0xFF, 0x00, 0x61], [0xFF, 0xFE]])
    func refusesUTF16WithAnExportHint(bytes: [UInt8]) throws {
        let error = try #require(CSVTestRead.error(bytes))
        #expect(error.code == .malformedFile)
        #expect(error.line == 1)
        #expect(error.message.contains("UTF-16"))
        #expect(error.message.contains("CSV UTF-8"))
    }

    @Test func stringValidatesUTF8() throws {
        var reader = CSVReader(bytes: Array("ʤ,Zoë\n".utf8) + [0x61, 0x2C, 0xC3, 0x28, 0x0A] + [0xC0, 0x80, 0x0A])
        var first = try reader.next()
        #expect(first)
        let texts = try reader.strings()
        #expect(texts == ["ʤ", "Zoë"])
        first = try reader.next()
        let plain = try reader.string(at: 0)
        #expect(plain == "a")
        var errors: [InputFileError] = []
        do { _ = try reader.string(at: 1) } catch let error as InputFileError { errors.append(error) }
        first = try reader.next()
        #expect(first)
        do { _ = try reader.string(at: 0) } catch let error as InputFileError { errors.append(error) }
        #expect(errors.map(\.line) == [2, 3])
        #expect(errors.first?.message.contains("Field 2") == true)
        #expect(errors.allSatisfy { $0.message.contains("UTF-8") && $0.code == .malformedFile })
    }

    // MARK: Malformed input

    @Test(arguments: [
        ("a,b\nc,\0d\n", 2), ("a,\"b\0\"\n", 1), ("a\n\"b\"\0\n", 2), ("\0", 1),
    ])
    func refusesNULBytes(text: String, line: Int) throws {
        let error = try #require(CSVTestRead.error(text))
        #expect(error.line == line)
        #expect(error.message.contains("NUL"))
    }

    @Test(arguments: [("a\n\"bc\nd", 2), ("\"", 1), ("a,\"b\"\"", 1), ("x\r\ny,\"\r\n\r\n", 2)])
    func refusesAQuoteLeftOpenAtTheEnd(text: String, line: Int) throws {
        let error = try #require(CSVTestRead.error(text))
        #expect(error.line == line)
        #expect(error.message.contains("never closed"))
    }

    @Test(arguments: [("ab\"c,d\n", 1), ("x\nab\"\n", 2), ("a,b\"", 1)])
    func refusesAQuoteInsideAnUnquotedField(text: String, line: Int) throws {
        let error = try #require(CSVTestRead.error(text))
        #expect(error.line == line)
        #expect(error.message.contains("does not start with a quote"))
    }

    @Test(arguments: [("\"ab\"c,d\n", 1), ("x\n\"a\nb\" ,c\n", 3), ("\"a\"b", 1)])
    func refusesTextAfterAClosingQuote(text: String, line: Int) throws {
        let error = try #require(CSVTestRead.error(text))
        #expect(error.line == line)
        #expect(error.message.contains("after the closing quote"))
    }

    @Test func capsFieldLength() throws {
        let limits = CSVLimits(maximumFieldBytes: 8)
        #expect(try CSVTestRead.all("12345678,\"abcdefgh\",\"ab\"\"cdef\"\"\"\n", limits: limits).records.count == 1)
        let unquoted = try #require(CSVTestRead.error("a\nb,123456789\n", limits: limits))
        #expect(unquoted.line == 2)
        #expect(unquoted.message.contains("longer than 8 bytes"))
        let quoted = try #require(CSVTestRead.error("a\n\"12\n3456789\",b\n", limits: limits))
        #expect(quoted.line == 2)
        // A stray quote turns the rest of a long file into one field: it stops at the cap, not at
        // the end of the file.
        let runaway = try #require(CSVTestRead.error("\"" + String(repeating: "x,", count: 100), limits: limits))
        #expect(runaway.message.contains("longer than"))
    }

    @Test func capsRecordLengthAndFieldCount() throws {
        let longRecord = try #require(CSVTestRead.error("h\n" + String(repeating: "abc,", count: 100) + "\n", limits: CSVLimits(maximumRecordBytes: 64)))
        #expect(longRecord.line == 2)
        let manyFields = try #require(CSVTestRead.error(String(repeating: ",", count: 200) + "\n", limits: CSVLimits(maximumFieldCount: 100)))
        #expect(manyFields.message.contains("more than 100 fields"))
        #expect(try CSVTestRead.all(String(repeating: ",", count: 99), limits: CSVLimits(maximumFieldCount: 100)).records[0].fields.count == 100)
    }

    // MARK: Files and I/O errors

    @Test func readsFilesInChunks() throws {
        let path = Fixture.path("csv-spectrum/newlines_crlf.csv")
        let expected = try CSVTestRead.all(try Fixture.bytes("csv-spectrum/newlines_crlf.csv"))
        for chunkSize in CSVTestRead.chunkSizes {
            var reader = try CSVReader(fileAt: path, chunkSize: chunkSize)
            #expect(try CSVTestRead.drain(&reader) == expected)
        }
    }

    @Test func aMissingFileIsAnOpenError() throws {
        #expect(throws: FileReadError.self) { _ = try CSVReader(fileAt: "/nonexistent/passback/x.csv") }
        do {
            _ = try CSVReader(fileAt: "/nonexistent/passback/x.csv")
        } catch let error as FileReadError {
            #expect(error.operation == "open")
            #expect(error.errorNumber == ENOENT)
            #expect(error.description.contains("/nonexistent/passback/x.csv"))
        }
    }

    @Test func aFailedReadIsAnErrorNotTheEndOfTheFile() throws {
        // Reading a directory opens fine and then fails in read(2) with EISDIR.
        let directory = NSTemporaryDirectory()
        var reader = try CSVReader(fileAt: directory)
        do {
            _ = try reader.next()
            Issue.record("reading a directory returned instead of throwing")
        } catch let error as FileReadError {
            #expect(error.operation == "read")
            #expect(error.errorNumber == EISDIR)
        }
    }

    // MARK: Chunk boundaries

    static let trickyInput: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            "Student,ID,\"Notes\r\nmore\",Lab (Part 2) (1234)\r\n\"Archer, Mary\",13,\"say \"\"hi\"\"\",9.00\r\n,,\"\",\r\n\r\n\"O'Neil, Zoë\",14,\"a\rb\nc\",EX\r17,\"\"\"\",\"\",\n"
                .utf8)

    @Test func chunkSizeDoesNotChangeTheResult() throws {
        let expected = try CSVTestRead.all(Self.trickyInput)
        #expect(expected.hasByteOrderMark)
        #expect(expected.records.map(\.line) == [1, 3, 4, 5, 6, 9])
        #expect(expected.records[0].fields[2] == Array("Notes\r\nmore".utf8))
        for chunkSize in 1...40 {
            #expect(try CSVTestRead.all(Self.trickyInput, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
    }

    /// Long quoted fields (read eight bytes at a time up to the next quote, CR, LF or NUL, and
    /// moved toward the front after a doubled quote), at every chunk size and from bytes copied
    /// in whole.
    @Test func longQuotedFieldsAgreeWithAPlainReferenceParser() throws {
        var generator = SplitMix64(state: 20_261_130)
        let text = Array("Sent 27 grades (due 2026-09-01, category X).".utf8)
        for _ in 0..<400 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                for field in 0..<Int.random(in: 1...3, using: &generator) {
                    if field > 0 { bytes.append(UInt8(ascii: ",")) }
                    bytes.append(UInt8(ascii: "\""))
                    for _ in 0..<Int.random(in: 0...90, using: &generator) {
                        switch Int.random(in: 0..<40, using: &generator) {
                        case 0: bytes += Array("\"\"".utf8)
                        case 1: bytes.append(0x0A)
                        case 2: bytes.append(0x0D)
                        case 3: bytes += [0x0D, 0x0A]
                        case 4: bytes.append(0)
                        default: bytes.append(text[Int.random(in: 0..<text.count, using: &generator)])
                        }
                    }
                    bytes.append(UInt8(ascii: "\""))
                }
                bytes += Int.random(in: 0..<2, using: &generator) == 0 ? [0x0A] : [0x0D, 0x0A]
            }
            let expected: Result<[CSVTestRecord], ReferenceCSV.Failure>
            do throws(ReferenceCSV.Failure) {
                expected = .success(try ReferenceCSV.parse(bytes, separator: UInt8(ascii: ",")))
            } catch {
                expected = .failure(error)
            }
            func outcome(_ read: () throws -> CSVTestOutcome) -> Result<[CSVTestRecord], ReferenceCSV.Failure> {
                do {
                    return .success(try read().records)
                } catch let error as InputFileError {
                    return .failure(ReferenceCSV.Failure(line: error.line ?? -1))
                } catch {
                    return .failure(ReferenceCSV.Failure(line: -2))
                }
            }
            for chunkSize in [1, 3, 7, 8, 9, 64, 1 << 20] {
                let actual = outcome { try CSVTestRead.all(bytes, chunkSize: chunkSize) }
                #expect(actual == expected, "input \(String(decoding: bytes, as: UTF8.self).debugDescription), chunk size \(chunkSize)")
                if actual != expected { return }
            }
            let copied = outcome {
                try bytes.withUnsafeBytes { buffer in
                    var reader = CSVReader(copying: buffer)
                    return try CSVTestRead.drain(&reader)
                }
            }
            #expect(copied == expected, "input \(String(decoding: bytes, as: UTF8.self).debugDescription), copied")
            if copied != expected { return }
        }
    }

    @Test func agreesWithAPlainReferenceParserOnRandomInput() throws {
        var generator = SplitMix64(state: 20_251_127)
        let alphabet: [UInt8] = Array("ab,\"\n\r ;".utf8) + [0]
        for round in 0..<3000 {
            let length = Int.random(in: 0...24, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                // NUL is rare so that most inputs get past it.
                var byte = alphabet.randomElement(using: &generator)!
                if byte == 0, Int.random(in: 0..<4, using: &generator) != 0 { byte = UInt8(ascii: "a") }
                bytes.append(byte)
            }
            let separator = round % 5 == 0 ? UInt8(ascii: ";") : UInt8(ascii: ",")
            let expected: Result<[CSVTestRecord], ReferenceCSV.Failure>
            do throws(ReferenceCSV.Failure) {
                expected = .success(try ReferenceCSV.parse(bytes, separator: separator))
            } catch {
                expected = .failure(error)
            }
            for chunkSize in [1, 2, 3, 7, 1 << 20] {
                let actual: Result<[CSVTestRecord], ReferenceCSV.Failure>
                do {
                    actual = .success(try CSVTestRead.all(bytes, separator: separator, chunkSize: chunkSize).records)
                } catch let error as InputFileError {
                    actual = .failure(ReferenceCSV.Failure(line: error.line ?? -1))
                }
                #expect(actual == expected, "input \(String(decoding: bytes, as: UTF8.self).debugDescription), chunk size \(chunkSize)")
                if actual != expected { return }
            }
        }
    }
}
