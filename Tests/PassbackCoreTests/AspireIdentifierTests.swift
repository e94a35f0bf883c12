import Foundation
import Testing

@testable import PassbackCore

/// The id checks against the passback schema itself, on the spec's example document.
@Suite struct AspireIdentifierTests {
    func problems(ofTheSpecExampleReplacing original: String, with id: String) throws -> [XMLProblem] {
        let text = try XMLTestFiles.fixtureText(SchemaValidatorTests.specExample).replacingOccurrences(of: original, with: id)
        return SchemaValidator.passback.validate(fileAt: try XMLTestFiles.scratchFile(text))
    }

    /// A category id `AspireIdentifier` accepts is a valid `CategorySourcedId`; one it refuses is
    /// not (other Unicode spaces are refused here although XML Schema's `\S` lets them through).
    @Test(arguments: [
        ("GCT0000001AbCd", true), ("é123", true), ("ID#5", true), (String(repeating: "9", count: 60), true),
        ("GCT 1", false), ("GCT\t1", false), (String(repeating: "9", count: 61), false),
    ])
    func categoryIdsAgreeWithTheSchema(_ id: String, _ valid: Bool) throws {
        #expect(AspireIdentifier.isValid(id) == valid)
        #expect(try problems(ofTheSpecExampleReplacing: "GCT0000001AbCd", with: id).isEmpty == valid)
    }

    @Test func problemsAreNamed() {
        #expect(AspireIdentifier.problem("") == .empty)
        #expect(AspireIdentifier.problem("a b") == .space)
        #expect(AspireIdentifier.problem("a\u{00A0}b") == .space)
        #expect(AspireIdentifier.problem("a\u{2003}b") == .space)
        #expect(AspireIdentifier.problem("a\u{1}b") == .controlCharacter)
        #expect(AspireIdentifier.problem("a\u{85}b") == .controlCharacter)
        #expect(AspireIdentifier.problem(String(repeating: "é", count: 61)) == .tooLong)
        #expect(AspireIdentifier.problem(String(repeating: "é", count: 60)) == nil)
    }

    /// Student ids are `xs:token`s: every id `isExactToken` accepts validates and is what a
    /// collapsing reader receives; the ones it refuses would arrive changed (or break the file).
    @Test(arguments: ["604863", "604 863", "S-12_ab.x", "学生42", String(repeating: "9", count: 80)])
    func exactTokensValidateUnchanged(_ id: String) throws {
        #expect(XMLCharacters.isExactToken(id))
        #expect(try problems(ofTheSpecExampleReplacing: "604863", with: id) == [])
    }

    @Test(arguments: ["", " ", "604\t863", "604  863", " 604", "604 ", "604\n863", "604\r863", "604\u{1}"])
    func tokensThatWouldArriveChangedAreRefused(_ id: String) {
        #expect(!XMLCharacters.isExactToken(id))
    }
}
