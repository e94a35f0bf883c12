import Foundation
import Testing

@testable import PassbackCore

@Suite struct CategoryXMLReaderTests {
    static func fixturePath(_ name: String) -> String {
        XMLTestFiles.fixture("categories-xml/\(name)").path
    }

    /// Reads `text` from memory and returns the error.
    static func error(reading text: String) -> InputFileError? {
        do {
            _ = try CategoryXMLReader().read(bytes: Array(text.utf8))
            return nil
        } catch let error as InputFileError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let term = #"<Term termSourcedId="GTM00000000Q1" termCode="Q1" termStartDate="2025-08-25" termEndDate="2025-10-31" schoolId="702">"#

    /// An export whose line 3 is `category` inside one term.
    static func export(category: String, term: String = term, root: String = #"<CategoryExport xmlns="urn:aspire-categories:1">"#) -> String {
        "\(root)\n\(term)\n\(category)\n</Term>\n</CategoryExport>\n"
    }

    // MARK: - A valid export

    @Test func readsAValidExportWithTwoTerms() throws {
        let export = try CategoryXMLReader().read(fileAt: Self.fixturePath("valid-two-terms.categories.xml"))
        #expect(
            export.categories.map(\.categorySourcedID) == [
                "GCT0000001AbCd", "GCT0000002EfGh", "GCT0000003IjKl", "GCT0000004MnOp", "GCT0000001AbCd", "GCT0000009QrSt",
            ])
        #expect(Set(export.categories.map(\.classSourcedID)) == ["MST0000007Xy12", "MST0000008Zz01", "MST0000009Ab34"])

        let homework = export.categories[0]
        #expect(
            homework
                == AspireCategory(
                    categorySourcedID: "GCT0000001AbCd", title: "Homework", classSourcedID: "MST0000007Xy12",
                    termSourcedID: "GTM00000000Q1", termCode: "Q1",
                    termStartDate: LocalDate(year: 2025, month: 8, day: 25), termEndDate: LocalDate(year: 2025, month: 10, day: 31),
                    schoolID: "702", status: .active, verifiedAt: ISOTimestamp.parse("2025-08-25T09:00:00Z"), weight: "40",
                    dateLastModified: ISOTimestamp.parse("2025-08-20T15:30:00Z")
                ))
        #expect(export.categories[1].title == "Tests & Quizzes")
        #expect(export.categories[2].verifiedAt == nil)
        #expect(export.categories[2].weight == nil)
        #expect(export.categories[3].title == "Participación")
        #expect(export.categories[3].status == .toBeDeleted)
        #expect(export.categories[3].weight == "12.5")
        #expect(export.categories[4].termSourcedID == "GTM00000000Q2")
        #expect(export.categories[4].termCode == "Q2")
        #expect(export.categories[4].termEndDate == LocalDate(year: 2026, month: 1, day: 16))
    }

    @Test func readsTheSameFromMemoryAsFromAFile() throws {
        let path = Self.fixturePath("valid-two-terms.categories.xml")
        let fromFile = try CategoryXMLReader().read(fileAt: path)
        let fromMemory = try CategoryXMLReader().read(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(fromFile == fromMemory)
    }

    @Test func readsUTF16WithAByteOrderMark() throws {
        let export = try CategoryXMLReader().read(fileAt: Self.fixturePath("utf16le-with-bom.categories.xml"))
        #expect(export.categories.map(\.title) == ["Homework"])
    }

    @Test func commentsAndProcessingInstructionsAreHarmless() throws {
        let text =
            "<?xml version=\"1.0\"?>\n<!-- exported by Aspire -->\n<?aspire build=\"42\"?>\n"
            + Self.export(category: #"<Category categorySourcedId="C1" title="Homework" classSourcedId="S1"/><!-- note -->"#)
        #expect(try CategoryXMLReader().read(bytes: Array(text.utf8)).categories.count == 1)
    }

    @Test func readsConcurrently() async throws {
        let path = Self.fixturePath("valid-two-terms.categories.xml")
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try CategoryXMLReader().read(fileAt: path).categories.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 6, count: 8))
    }

    // MARK: - Attacks and broken files

    struct BrokenFile: Sendable, CustomTestStringConvertible {
        var name: String
        var line: Int?
        var fragment: String
        var testDescription: String { name }
    }

    static let doctype = "The file has a DOCTYPE; category exports must not declare one."

    static let brokenFiles: [BrokenFile] = [
        BrokenFile(name: "xxe-local-file.categories.xml", line: 2, fragment: doctype),
        BrokenFile(name: "billion-laughs.categories.xml", line: 2, fragment: doctype),
        BrokenFile(name: "quadratic-blowup.categories.xml", line: 2, fragment: doctype),
        BrokenFile(name: "external-dtd.categories.xml", line: 2, fragment: doctype),
        BrokenFile(name: "xxe-parameter-entity.categories.xml", line: 2, fragment: doctype),
        BrokenFile(name: "xinclude.categories.xml", line: 5, fragment: "Element '{http://www.w3.org/2001/XInclude}include': This element is not expected"),
        BrokenFile(name: "deep-nesting.categories.xml", line: 4, fragment: "Element 'a': This element is not expected"),
        BrokenFile(name: "truncated.categories.xml", line: 4, fragment: "not well-formed XML"),
        BrokenFile(name: "two-roots.categories.xml", line: 7, fragment: "Extra content at the end of the document"),
        BrokenFile(name: "empty.categories.xml", line: 1, fragment: "The file is empty"),
        BrokenFile(name: "nul-byte.categories.xml", line: 5, fragment: "Char 0x0 out of allowed range"),
        BrokenFile(name: "bad-utf8.categories.xml", line: 5, fragment: "Input is not proper UTF-8"),
        BrokenFile(name: "bad-utf16.categories.xml", line: 5, fragment: "The file's bytes are not valid text in its encoding"),
        BrokenFile(name: "truncated-utf16.categories.xml", line: 4, fragment: "not well-formed XML"),
        BrokenFile(name: "declared-utf16-written-utf8.categories.xml", line: 1, fragment: "Document labelled UTF-16 but has UTF-8 content"),
        BrokenFile(name: "utf16-without-bom-or-declaration.categories.xml", line: 1, fragment: "not well-formed XML"),
        BrokenFile(
            name: "schema-violation.categories.xml", line: 5,
            fragment: "Element 'Category', attribute 'status': [facet 'enumeration'] The value 'deleted' is not an element of the set"),
        BrokenFile(
            name: "duplicate-category.categories.xml", line: 6,
            fragment: "Category GCT0000001AbCd of section MST0000007Xy12 in term GTM00000000Q1 is listed twice, on lines 4 and 6"),
    ]

    @Test(arguments: brokenFiles)
    func refusesABrokenFileAsMalformed(_ file: BrokenFile) throws {
        let path = Self.fixturePath(file.name)
        let fromFile = try #require(throws: InputFileError.self) { try CategoryXMLReader().read(fileAt: path) }
        let fromMemory = try #require(throws: InputFileError.self) {
            try CategoryXMLReader().read(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        for error in [fromFile, fromMemory] {
            #expect(error.code == .malformedFile)
            #expect(error.line == file.line, "\(error)")
            #expect(error.message.contains(file.fragment), "\(error)")
            // Nothing from /etc/passwd, and no expansion, ever reaches a message.
            #expect(!error.message.contains("root:"))
            #expect(!error.message.contains("lollollol"))
            #expect(!error.message.contains("AAAAAAAAAA"))
            #expect(error.message.utf8.count < 700)
        }
    }

    /// The attacks need a DOCTYPE, nesting or size to hurt; each is refused at once (the bound
    /// is loose for a busy machine: expanding any of them takes seconds and gigabytes).
    @Test(arguments: [
        "xxe-local-file.categories.xml", "xxe-parameter-entity.categories.xml", "billion-laughs.categories.xml",
        "quadratic-blowup.categories.xml", "external-dtd.categories.xml", "xinclude.categories.xml", "deep-nesting.categories.xml",
    ])
    func attacksAreRefusedQuickly(name: String) throws {
        let path = Self.fixturePath(name)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: InputFileError.self) { try CategoryXMLReader().read(fileAt: path) }
        }
        #expect(elapsed < .seconds(2), "\(name) took \(elapsed)")
    }

    @Test func aMillionNestedElementsAreRefusedAtTheFirst() throws {
        let text = "<CategoryExport xmlns=\"urn:aspire-categories:1\">\n" + String(repeating: "<Term>", count: 1_000_000)
        let clock = ContinuousClock()
        var error: InputFileError?
        let elapsed = clock.measure { error = Self.error(reading: text) }
        #expect(error?.line == 2, "\(String(describing: error))")
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    @Test func findsTheLineOfBadUTF16() {
        func utf16(_ text: String, bigEndian: Bool = false) -> [UInt8] {
            (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) + text.utf16.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        }
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: utf16("a\nb\nc😀\n")) == nil)
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: utf16("a\nb\n") + [0x00, 0xD8, 0x41, 0x00]) == 3)
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: utf16("a\n") + [0x00, 0xDC]) == 2)
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: utf16("a\n\n", bigEndian: true) + [0xD8, 0x00]) == 3)
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: utf16("a\n") + [0x41]) == 2)
        #expect(CategoryXMLReader.lineOfFirstInvalidUTF16(in: Array("a\nb".utf8)) == nil)
    }

    @Test func aMissingFileIsMalformedNotACrash() {
        let error = #expect(throws: InputFileError.self) { try CategoryXMLReader().read(fileAt: "/nonexistent/x.categories.xml") }
        #expect(error?.code == .malformedFile)
    }

    @Test func aHarmlessDoctypeIsStillRefused() {
        let error = Self.error(
            reading: "<?xml version=\"1.0\"?>\n\n<!DOCTYPE CategoryExport>\n" + Self.export(category: #"<Category categorySourcedId="C1" title="Homework" classSourcedId="S1"/>"#))
        #expect(error?.message.contains(Self.doctype) == true)
        #expect(error?.line == 3)
    }

    // MARK: - Schema and field violations, with their lines

    struct Violation: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var fragment: String
        var testDescription: String { name }
    }

    static let violations: [Violation] = [
        Violation(
            name: "missing title", text: export(category: #"<Category categorySourcedId="C1" classSourcedId="S1"/>"#), line: 3,
            fragment: "The attribute 'title' is required but missing"),
        Violation(
            name: "unknown attribute", text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1" colour="red"/>"#), line: 3,
            fragment: "attribute 'colour'"),
        Violation(
            name: "id of 61 characters", text: export(category: #"<Category categorySourcedId="\#(String(repeating: "C", count: 61))" title="T" classSourcedId="S1"/>"#), line: 3,
            fragment: "attribute 'categorySourcedId'"),
        Violation(
            name: "id with a space", text: export(category: #"<Category categorySourcedId="C 1" title="T" classSourcedId="S1"/>"#), line: 3,
            fragment: "attribute 'categorySourcedId'"),
        Violation(
            name: "title of 256 characters", text: export(category: #"<Category categorySourcedId="C1" title="\#(String(repeating: "t", count: 256))" classSourcedId="S1"/>"#),
            line: 3, fragment: "attribute 'title'"),
        Violation(name: "blank title", text: export(category: #"<Category categorySourcedId="C1" title="   " classSourcedId="S1"/>"#), line: 3, fragment: "attribute 'title'"),
        Violation(
            name: "verifiedAt without a zone", text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1" verifiedAt="2025-08-25T03:00:00"/>"#),
            line: 3, fragment: "attribute 'verifiedAt'"),
        Violation(
            name: "weight with an exponent", text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1" weight="1e3"/>"#), line: 3,
            fragment: "attribute 'weight'"),
        Violation(
            name: "text inside a Term", text: export(category: #"Homework <Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#), line: 3, fragment: "Element 'Term'"),
        Violation(
            name: "term date without leading zeros",
            text: export(
                category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#,
                term: #"<Term termSourcedId="T1" termCode="Q1" termStartDate="2025-8-25" termEndDate="2025-10-31" schoolId="702">"#), line: 2, fragment: "attribute 'termStartDate'"
        ),
        Violation(
            name: "term without categories", text: #"<CategoryExport xmlns="urn:aspire-categories:1">"# + "\n" + term + "\n</Term>\n</CategoryExport>\n", line: 3,
            fragment: "Missing child element(s)"),
        Violation(
            name: "export without terms", text: #"<CategoryExport xmlns="urn:aspire-categories:1">"# + "\n</CategoryExport>\n", line: 2, fragment: "Missing child element(s)"),
        Violation(
            name: "no namespace", text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#, root: "<CategoryExport>"), line: 1,
            fragment: "No matching global declaration"),
        Violation(
            name: "another namespace",
            text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#, root: #"<CategoryExport xmlns="urn:aspire-categories:2">"#), line: 1,
            fragment: "No matching global declaration"),
        // Checks past the schema, by AspireCategoryFields (shared with the CSV form):
        Violation(
            name: "term ends before it starts",
            text: export(
                category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#,
                term: #"<Term termSourcedId="T1" termCode="Q1" termStartDate="2025-10-31" termEndDate="2025-08-25" schoolId="702">"#), line: 3,
            fragment: "termStartDate 2025-10-31 is after termEndDate 2025-08-25"),
        Violation(
            name: "id with a no-break space", text: export(category: "<Category categorySourcedId=\"C\u{A0}1\" title=\"T\" classSourcedId=\"S1\"/>"), line: 3,
            fragment: "categorySourcedId"),
        // Checks of the reader itself:
        Violation(
            name: "term of another school",
            text: export(category: #"<Category categorySourcedId="C1" title="T" classSourcedId="S1"/>"#, root: #"<CategoryExport xmlns="urn:aspire-categories:1" schoolId="703">"#),
            line: 2, fragment: "the export is for school 703"),
    ]

    @Test(arguments: violations)
    func reportsEachViolationWithItsLine(_ violation: Violation) throws {
        let error = try #require(Self.error(reading: violation.text))
        #expect(error.code == .malformedFile)
        #expect(error.line == violation.line, "\(error)")
        #expect(error.message.contains(violation.fragment), "\(error)")
        #expect(!error.message.contains("urn:aspire-categories:1}"), "\(error)")
    }

    /// libxml2 numbers an element by the line where its start tag ends.
    @Test func aCategoryWithAttributesOnSeveralLinesIsPlacedWhereItsStartTagEnds() throws {
        let text = Self.export(
            category: "<Category categorySourcedId=\"C1\" title=\"T\" classSourcedId=\"S1\"/>\n<Category\n  categorySourcedId=\"C1\"\n  title=\"T\"\n  classSourcedId=\"S1\"/>")
        let error = try #require(Self.error(reading: text))
        #expect(error.message.contains("listed twice, on lines 3 and"), "\(error)")
        #expect(error.line == 7, "\(error)")
    }

    @Test func theSameCategoryInTwoSectionsOrTermsIsNoDuplicate() throws {
        let text = """
            <CategoryExport xmlns="urn:aspire-categories:1">
            \(Self.term)
            <Category categorySourcedId="C1" title="Homework" classSourcedId="S1"/>
            <Category categorySourcedId="C1" title="Homework" classSourcedId="S2"/>
            </Term>
            <Term termSourcedId="GTM00000000Q2" termCode="Q2" termStartDate="2025-11-03" termEndDate="2026-01-16" schoolId="702">
            <Category categorySourcedId="C1" title="Homework" classSourcedId="S1"/>
            </Term>
            </CategoryExport>
            """
        #expect(try CategoryXMLReader().read(bytes: Array(text.utf8)).categories.count == 3)
    }

    /// libxml2 2.9 keeps an element's line in 16 bits; past 65535 `xmlGetLineNo` takes it from
    /// the text after the element, which may end a line later. Not clamped to 65535, though.
    @Test func linesPast65535AreNotClamped() throws {
        var text = #"<CategoryExport xmlns="urn:aspire-categories:1">"# + "\n" + Self.term + "\n"
        for index in 0..<70_000 {
            text += #"<Category categorySourcedId="C\#(index)" title="T" classSourcedId="S1"/>"# + "\n"
        }
        text += #"<Category categorySourcedId="C7" title="T" classSourcedId="S1"/>"# + "\n</Term>\n</CategoryExport>\n"
        let error = try #require(Self.error(reading: text))
        #expect((70_003...70_004).contains(error.line ?? 0), "\(error)")
        #expect(error.message.contains("on lines 10 and 7000"), "\(error)")
    }
}
