import Foundation
import Testing

@testable import PassbackCore

@Suite struct CategoryCSVReaderTests {
    /// Reads a fixture from its path, and checks that reading it from memory at tiny chunk sizes
    /// gives the same result.
    static func read(_ name: String) throws -> AspireCategoryExport {
        let export = try CategoryCSVReader().read(fileAt: Fixture.path("categories/\(name)"))
        let bytes = try Fixture.bytes("categories/\(name)")
        for chunkSize in [1, 2, 3, 7] {
            #expect(try CategoryCSVReader(chunkSize: chunkSize).read(bytes: bytes) == export, "chunk size \(chunkSize)")
        }
        return export
    }

    static func error(_ name: String) throws -> InputFileError {
        let bytes = try Fixture.bytes("categories/\(name)")
        var errors: [InputFileError] = []
        for chunkSize in [1, 3, CSVReader.defaultChunkSize] {
            do {
                _ = try CategoryCSVReader(chunkSize: chunkSize).read(bytes: bytes)
                Issue.record("\(name) was read without an error")
            } catch let error as InputFileError {
                errors.append(error)
            }
        }
        let first = try #require(errors.first)
        #expect(errors.allSatisfy { $0 == first }, "chunk sizes disagree: \(errors)")
        return first
    }

    static func instant(_ text: String) -> Date { ISOTimestamp.parse(text)! }

    @Test func readsAnExportInContractOrder() throws {
        let export = try Self.read("valid.categories.csv")
        let q1Start = LocalDate(year: 2025, month: 8, day: 20)
        let q1End = LocalDate(year: 2025, month: 10, day: 31)
        #expect(
            export.categories == [
                AspireCategory(
                    categorySourcedID: "GCT0000001AbCd", title: "Homework", classSourcedID: "MST0000007Xy12", termSourcedID: "GTM00000000Q1",
                    termCode: "Q1", termStartDate: q1Start, termEndDate: q1End, schoolID: "702", status: .active,
                    verifiedAt: Self.instant("2025-08-25T03:00:00Z"), weight: "40", dateLastModified: Self.instant("2025-08-24T10:00:00Z")
                ),
                AspireCategory(
                    categorySourcedID: "GCT0000002AbCd", title: "Tests, Quizzes", classSourcedID: "MST0000007Xy12", termSourcedID: "GTM00000000Q1",
                    termCode: "Q1", termStartDate: q1Start, termEndDate: q1End, schoolID: "702", status: .active, verifiedAt: nil, weight: "60.5"
                ),
                AspireCategory(
                    categorySourcedID: "GCT0000001AbCd", title: "Homework", classSourcedID: "MST0000008Zz34", termSourcedID: "GTM00000000Q1",
                    termCode: "Q1", termStartDate: q1Start, termEndDate: q1End, schoolID: "702", status: .toBeDeleted,
                    verifiedAt: Self.instant("2025-08-25T09:00:00Z")
                ),
            ])
    }

    @Test func matchesColumnsByNameInAnyOrderAndCase() throws {
        let export = try Self.read("reordered.categories.csv")
        #expect(export.categories.map(\.categorySourcedID) == ["GCT0000001AbCd", "GCT0000003AbCd"])
        #expect(export.categories.map(\.title) == ["Homework", "Labs \"A\"\r\nand B"])
        #expect(export.categories.map(\.schoolID) == ["702", "702"])
        #expect(export.categories.map(\.verifiedAt) == [Self.instant("2025-08-25T03:00:00Z"), nil])
        #expect(export.categories.allSatisfy { $0.status == .active && $0.weight == nil && $0.dateLastModified == nil })
    }

    @Test func acceptsSemicolons() throws {
        let export = try Self.read("semicolon.categories.csv")
        #expect(export.categories.map(\.title) == ["Homework, Classwork"])
        #expect(export.categories.map(\.weight) == ["12.5"])
    }

    @Test(
        arguments: [
            ("malformed-empty.categories.csv", nil, "empty"),
            ("malformed-header-only.categories.csv", 1, "no categories"),
            ("malformed-missing-columns.categories.csv", 1, "lacks the required columns termCode, schoolId"),
            ("malformed-duplicate-column.categories.csv", 1, "title column twice (columns 2 and 13)"),
            ("malformed-duplicate-category.categories.csv", 4, "listed twice, on lines 2 and 4"),
            ("malformed-bad-date.categories.csv", 3, "termStartDate '08/20/2025' is not a date"),
            ("malformed-blank-title.categories.csv", 2, "title is blank"),
            ("malformed-ragged-row.categories.csv", 2, "has 11 fields but the header has 12"),
            ("malformed-utf16.categories.csv", 1, "UTF-16"),
            ("malformed-latin1-title.categories.csv", 3, "Field 2 of the record on line 3 is not valid UTF-8"),
            ("malformed-latin1-header.categories.csv", 1, "Field 2 of the record on line 1 is not valid UTF-8"),
            ("malformed-nul-byte.categories.csv", 3, "NUL byte"),
        ] as [(String, Int?, String)])
    func refusesMalformedExports(name: String, line: Int?, fragment: String) throws {
        let error = try Self.error(name)
        #expect(error.code == .malformedFile)
        #expect(error.line == line)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test(arguments: ["valid-cr.categories.csv", "valid-bom-crlf.categories.csv"])
    func lineEndsAndAByteOrderMarkChangeNothing(name: String) throws {
        let bytes = try Fixture.bytes("categories/\(name)")
        #expect(bytes.contains(0x0D))
        #expect(try Self.read(name) == Self.read("valid.categories.csv"))
    }

    @Test func theSameCategoryIDInAnotherSectionIsNoDuplicate() throws {
        let export = try Self.read("valid.categories.csv")
        #expect(Set(export.categories.map(\.categorySourcedID)).count == 2)
        #expect(export.categories.count == 3)
    }

    @Test func aMissingFileIsAReadError() {
        #expect(throws: FileReadError.self) { try CategoryCSVReader().read(fileAt: "/nonexistent/passback/x.categories.csv") }
    }
}
