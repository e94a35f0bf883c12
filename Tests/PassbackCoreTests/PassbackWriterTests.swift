import Foundation
import Testing

@testable import PassbackCore

@Suite struct PassbackWriterTests {
    static let golden = "xml/passback-golden.xml"

    static func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }
    static func decimal(_ text: String) -> ExactDecimal { ExactDecimal.parse(text)! }

    static let header = PassbackHeader(
        runID: "20261127T090000Z-7f3a", mode: .incremental,
        generatedAt: ISOTimestamp.parse("2026-11-27T09:00:00Z")!
    )

    /// Every kind of result: graded with integer and decimal scores, exempt (with a score that
    /// must not be written), each other score status, deletions (with grade fields that must not
    /// be written); a title with XML's special characters and non-ASCII text; a line item without
    /// results; two sections.
    static let sections: [PassbackSection] = [
        PassbackSection(
            classSourcedID: "MST0000007Xy12", termSourcedID: "GTM00000000Q1", schoolID: "702",
            canvasCourseID: "4242", canvasSectionID: "77",
            lineItems: [
                PassbackLineItem(
                    sourcedID: "canvas-1001", title: #"Homework 1: "Linear" Equations & <Graphs> — it's Ünïcödé ✓"#,
                    categorySourcedID: "GCT0000001AbCd", assignDate: date("2025-09-02"), dueDate: date("2025-09-11"),
                    resultValueMax: ExactDecimal(10),
                    results: [
                        PassbackResult(
                            sourcedID: "canvas-1001:604863", studentSourcedID: "604863", scoreStatus: .fullyGraded, score: ExactDecimal(9), scoreDate: date("2025-09-12")),
                        PassbackResult(
                            sourcedID: "canvas-1001:604864", studentSourcedID: "604864", scoreStatus: .fullyGraded, score: decimal("9.50"), scoreDate: date("2025-09-12")),
                        PassbackResult(
                            sourcedID: "canvas-1001:604865", studentSourcedID: "604865", scoreStatus: .fullyGraded, score: decimal("0.125"), scoreDate: date("2025-09-13")),
                        PassbackResult(
                            sourcedID: "canvas-1001:604866", studentSourcedID: "604866", scoreStatus: .fullyGraded, score: decimal("12.5"), scoreDate: date("2025-09-13")),
                        PassbackResult(sourcedID: "canvas-1001:604867", studentSourcedID: "604867", scoreStatus: .exempt, score: ExactDecimal(10), scoreDate: date("2025-09-14")),
                        PassbackResult(sourcedID: "canvas-1001:604868", studentSourcedID: "604868", scoreStatus: .submitted, score: nil, scoreDate: date("2025-09-14")),
                        PassbackResult(
                            sourcedID: "canvas-1001:604869", studentSourcedID: "604869", scoreStatus: .partiallyGraded, score: decimal("4.5"), scoreDate: date("2025-09-14")),
                        PassbackResult(
                            sourcedID: "canvas-1001:604870", studentSourcedID: "604870", scoreStatus: .notSubmitted, score: ExactDecimal(0), scoreDate: date("2025-09-15")),
                        .deletion(sourcedID: "canvas-1001:604874", studentSourcedID: "604874"),
                        PassbackResult(
                            sourcedID: "canvas-1001:604875", status: .toBeDeleted, studentSourcedID: "604875", scoreStatus: .fullyGraded, score: ExactDecimal(7),
                            scoreDate: date("2025-09-15")),
                    ]
                ),
                PassbackLineItem(
                    sourcedID: "canvas-1002", title: "Quiz 1", categorySourcedID: "GCT0000002EfGh",
                    assignDate: date("2025-09-03"), dueDate: date("2025-09-04"), resultValueMax: decimal("2.5"), results: []
                ),
            ]
        ),
        PassbackSection(
            classSourcedID: "MST0000007Xy12", termSourcedID: "GTM00000000Q1", schoolID: "702",
            canvasCourseID: "4243", canvasSectionID: "81",
            lineItems: [
                PassbackLineItem(
                    sourcedID: "canvas-2001", status: .toBeDeleted, title: "Lab safety", categorySourcedID: "GCT0000003IjKl",
                    assignDate: date("2025-09-01"), dueDate: date("2025-09-05"), resultValueMax: ExactDecimal(100),
                    results: [.deletion(sourcedID: "canvas-2001:700001", studentSourcedID: "700001")]
                )
            ]
        ),
    ]

    static func write(_ sections: [PassbackSection], to path: String, header: PassbackHeader = header) throws {
        let writer = try PassbackWriter(path: path)
        try writer.begin(header)
        for section in sections {
            try writer.write(section)
        }
        try writer.finish()
    }

    @Test func writesTheGoldenFile() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        try Self.write(Self.sections, to: path)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        let golden = try Data(contentsOf: XMLTestFiles.fixture(Self.golden))
        #expect(written == golden, "\(String(decoding: written, as: UTF8.self))")
    }

    @Test func theWrittenFileIsValid() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        try Self.write(Self.sections, to: path)
        #expect(SchemaValidator.passback.validate(fileAt: path) == [])
    }

    @Test func theGoldenFileIsValid() {
        #expect(SchemaValidator.passback.validate(fileAt: XMLTestFiles.fixture(Self.golden).path) == [])
    }

    @Test func specialCharactersAreEscapedAndNonASCIIKept() throws {
        let text = try XMLTestFiles.fixtureText(Self.golden)
        #expect(text.contains("<Title>Homework 1: &quot;Linear&quot; Equations &amp; &lt;Graphs&gt; — it's Ünïcödé ✓</Title>"))
        #expect(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
    }

    @Test func attributeValuesAreEscaped() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        var section = Self.sections[1]
        section.classSourcedID = #"A"B<C&D'E"#
        try Self.write([section], to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"classSourcedId="A&quot;B&lt;C&amp;D'E""#))
        #expect(SchemaValidator.passback.validate(fileAt: path) == [])
    }

    @Test func manySectionsStreamToAValidFile() throws {
        // Well past libxml2's 4000-byte output buffer, so the file is written in many pieces.
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        let results = (0..<5_000).map { index in
            PassbackResult(
                sourcedID: "canvas-9:\(index)", studentSourcedID: "\(index)", scoreStatus: .fullyGraded, score: ExactDecimal(Int64(index % 11)), scoreDate: Self.date("2025-10-01"))
        }
        var section = Self.sections[1]
        section.lineItems = [
            PassbackLineItem(
                sourcedID: "canvas-9", title: "Big", categorySourcedID: "G", assignDate: Self.date("2025-10-01"), dueDate: Self.date("2025-10-01"),
                resultValueMax: ExactDecimal(10), results: results)
        ]
        try Self.write([section], to: path)
        #expect(SchemaValidator.passback.validate(fileAt: path) == [])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("</GradePassback>\n"))
    }

    @Test func anActiveResultWithoutScoreStatusIsRefused() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        var section = Self.sections[1]
        section.lineItems[0].results = [
            PassbackResult(sourcedID: "canvas-2001:1", studentSourcedID: "1", scoreStatus: nil, score: ExactDecimal(1), scoreDate: Self.date("2025-09-02"))
        ]
        let writer = try PassbackWriter(path: path)
        try writer.begin(Self.header)
        let error = #expect(throws: PassbackWriterError.self) { try writer.write(section) }
        #expect(error?.message.contains("no score status") == true)
        // The writer is failed now: nothing more goes into the broken file.
        #expect(throws: PassbackWriterError.self) { try writer.finish() }
    }

    @Test(arguments: ["\u{0}", "\u{1}", "\u{1B}", "\u{FFFE}"])
    func charactersXMLCannotCarryAreRefused(character: String) throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        var section = Self.sections[1]
        section.lineItems[0].title = "Lab\(character)safety"
        let writer = try PassbackWriter(path: path)
        try writer.begin(Self.header)
        let error = #expect(throws: PassbackWriterError.self) { try writer.write(section) }
        #expect(error?.message.hasPrefix("Title 'Lab") == true)
    }

    @Test func tabsAndLineBreaksAreCarried() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        var section = Self.sections[1]
        section.lineItems[0].title = "Lab\tsafety\r\nrules"
        try Self.write([section], to: path)
        #expect(SchemaValidator.passback.validate(fileAt: path) == [])
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("<Title>Lab\tsafety&#13;\nrules</Title>"))
    }

    @Test func aFileWithoutSectionsIsRefused() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        let writer = try PassbackWriter(path: path)
        try writer.begin(Self.header)
        #expect(throws: PassbackWriterError.self) { try writer.finish() }
    }

    @Test func callsOutOfOrderAreRefused() throws {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("passback.xml").path
        let writer = try PassbackWriter(path: path)
        #expect(throws: PassbackWriterError.self) { try writer.write(Self.sections[0]) }
        #expect(throws: PassbackWriterError.self) { try writer.finish() }
        try writer.begin(Self.header)
        #expect(throws: PassbackWriterError.self) { try writer.begin(Self.header) }
        try writer.write(Self.sections[0])
        try writer.finish()
        #expect(throws: PassbackWriterError.self) { try writer.write(Self.sections[0]) }
        #expect(throws: PassbackWriterError.self) { try writer.finish() }
    }

    @Test func anUncreatableFileIsAnError() {
        let error = #expect(throws: PassbackWriterError.self) { try PassbackWriter(path: "/nonexistent-folder/passback.xml") }
        #expect(error?.message.contains("/nonexistent-folder/passback.xml") == true)
    }

    @Test func aFullDiskIsReported() throws {
        // /dev/full accepts the open and fails every write with ENOSPC.
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
        let writer = try PassbackWriter(path: "/dev/full")
        try writer.begin(Self.header)
        let error = #expect(throws: PassbackWriterError.self) {
            for _ in 0..<50 { try writer.write(Self.sections[0]) }
            try writer.finish()
        }
        #expect(error?.message.contains("cannot write /dev/full: No space left on device") == true, "\(String(describing: error))")
    }
}

/// The production writer (``PassbackFile``, rendering with ``PassbackXMLBuffer``) must write the
/// bytes libxml2's `xmlTextWriter` (``PassbackWriter``) writes, whatever the text.
@Suite struct PassbackXMLBufferTests {
    static func libxml2Bytes(_ sections: [PassbackSection], header: PassbackHeader = PassbackWriterTests.header) throws -> Data {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("libxml2.xml").path
        try PassbackWriterTests.write(sections, to: path, header: header)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func bufferBytes(_ sections: [PassbackSection], header: PassbackHeader = PassbackWriterTests.header) throws -> Data {
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("buffer.xml").path
        try PassbackFile().write(header: header, sections: sections, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func writesTheGoldenFile() throws {
        let golden = try Data(contentsOf: XMLTestFiles.fixture(PassbackWriterTests.golden))
        #expect(try Self.bufferBytes(PassbackWriterTests.sections) == golden)
    }

    static let awkward = [
        "plain", "", " ", "a\"b", "<&>", "it's", "tab\there", "cr\rlf\nboth\r\n", "é", "Zoë Müller", "✓ ✗", "😀", "\u{7F}", "\u{80}\u{7FF}\u{800}\u{FFFD}\u{10000}\u{10FFFF}",
        "&amp; already", "]]>", "--", "  leading and trailing  ", "=1+2", "\u{EF}", "ﾟ",
    ]

    @Test(arguments: awkward)
    func escapesAsLibxml2(_ value: String) throws {
        let header = PassbackHeader(runID: "run-" + value, mode: .bulk, generatedAt: ISOTimestamp.parse("1999-12-31T23:59:59Z")!)
        let sections = [
            PassbackSection(
                classSourcedID: "S" + value, termSourcedID: value, schoolID: value + "x", canvasCourseID: value, canvasSectionID: "9",
                lineItems: [
                    PassbackLineItem(
                        sourcedID: "canvas-1" + value, title: value, categorySourcedID: value, assignDate: LocalDate(year: 2025, month: 1, day: 2),
                        dueDate: LocalDate(year: 987, month: 12, day: 31), resultValueMax: ExactDecimal(mantissa: -5, scale: 3),
                        results: [
                            PassbackResult(
                                sourcedID: "canvas-1:" + value, studentSourcedID: value, scoreStatus: .fullyGraded, score: ExactDecimal(mantissa: 123_456_789_012_345, scale: 18),
                                scoreDate: LocalDate(year: 2025, month: 10, day: 1)),
                            PassbackResult(sourcedID: value, status: .toBeDeleted, studentSourcedID: value, scoreStatus: nil, score: nil, scoreDate: nil),
                            PassbackResult(
                                sourcedID: "x", studentSourcedID: value, scoreStatus: .exempt, score: ExactDecimal(0), scoreDate: LocalDate(year: 2025, month: 1, day: 1)),
                        ]
                    ),
                    PassbackLineItem(
                        sourcedID: value, status: .toBeDeleted, title: value, categorySourcedID: "c", assignDate: LocalDate(year: 1, month: 1, day: 1),
                        dueDate: LocalDate(year: 9999, month: 9, day: 9), resultValueMax: .zero, results: []),
                ]
            ),
            PassbackSection(classSourcedID: value, termSourcedID: "T", schoolID: "1", canvasCourseID: "2", canvasSectionID: "3", lineItems: []),
        ]
        let expected = try Self.libxml2Bytes(sections, header: header)
        let actual = try Self.bufferBytes(sections, header: header)
        #expect(actual == expected, "\(String(decoding: actual, as: UTF8.self))\n---\n\(String(decoding: expected, as: UTF8.self))")
    }

    @Test(arguments: ["\u{0}", "\u{1}", "\u{1B}", "\u{FFFE}", "\u{FFFF}"])
    func refusesWhatLibxml2WriterRefuses(_ character: String) throws {
        var section = PassbackWriterTests.sections[1]
        section.lineItems[0].title = "Lab\(character)safety"
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("buffer.xml").path
        let error = #expect(throws: PassbackWriterError.self) { try PassbackFile().write(header: PassbackWriterTests.header, sections: [section], to: path) }
        let reference = #expect(throws: PassbackWriterError.self) { try Self.libxml2Bytes([section]) }
        #expect(error?.message == reference?.message)
        section = PassbackWriterTests.sections[1]
        section.schoolID = "7\(character)"
        let attributeError = #expect(throws: PassbackWriterError.self) { try PassbackFile().write(header: PassbackWriterTests.header, sections: [section], to: path) }
        #expect(attributeError?.message.hasPrefix("schoolId '7") == true)
    }

    @Test func largeSectionsAreWrittenInPieces() throws {
        let results = (0..<20_000).map { index in
            PassbackResult(
                sourcedID: "canvas-9:\(index)", studentSourcedID: "\(index)", scoreStatus: .fullyGraded, score: ExactDecimal(mantissa: Int64(index), scale: UInt8(index % 4)),
                scoreDate: LocalDate(year: 2025, month: 10, day: 1))
        }
        var section = PassbackWriterTests.sections[1]
        section.lineItems = (0..<4).map {
            PassbackLineItem(
                sourcedID: "canvas-\($0)", title: "Big \($0)", categorySourcedID: "G", assignDate: LocalDate(year: 2025, month: 10, day: 1),
                dueDate: LocalDate(year: 2025, month: 10, day: 1), resultValueMax: ExactDecimal(10), results: results)
        }
        #expect(try Self.bufferBytes([section]) == Self.libxml2Bytes([section]))
    }

    @Test func anActiveResultWithoutScoreDateIsRefused() throws {
        var section = PassbackWriterTests.sections[1]
        section.lineItems[0].results = [PassbackResult(sourcedID: "canvas-2001:1", studentSourcedID: "1", scoreStatus: .fullyGraded, score: ExactDecimal(1), scoreDate: nil)]
        let path = try XMLTestFiles.scratchFolder().appendingPathComponent("buffer.xml").path
        let error = #expect(throws: PassbackWriterError.self) { try PassbackFile().write(header: PassbackWriterTests.header, sections: [section], to: path) }
        #expect(error?.message.contains("no score date") == true)
        #expect(throws: PassbackWriterError.self) { try PassbackFile().write(header: PassbackWriterTests.header, sections: [], to: path) }
    }
}
