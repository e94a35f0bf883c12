import Foundation
import Testing

@testable import PassbackCore

/// ``RuleCode/all`` is the one list of codes: it must name every code the sources declare and
/// every code the README's tables document, and nothing else.
@Suite struct RuleCodeTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `static let x = RuleCode("code")` declarations under Sources/.
    func declaredCodes() throws -> Set<String> {
        let sources = Self.repository.appendingPathComponent("Sources")
        let pattern = try Regex(#"static let \w+ = RuleCode\("([a-z0-9-]+)"\)"#)
        var codes: Set<String> = []
        let walker = FileManager.default.enumerator(atPath: sources.path)
        while let path = walker?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            for match in text.matches(of: pattern) {
                codes.insert(String(match.output[1].substring!))
            }
        }
        return codes
    }

    /// Codes in the first column of the README's tables (`| \`code\` | status | when |`).
    func documentedCodes() throws -> Set<String> {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        var codes: Set<String> = []
        let cell = try Regex(#"`([a-z][a-z0-9]*(?:-[a-z0-9]+)+|differentiated|superseded)`"#)
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let first = line.split(separator: "|", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            let status = line.split(separator: "|", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
            // Rule tables say a status (error, warning, skipped) in their second column.
            guard ["error", "warning", "skipped"].contains(where: { status.contains($0) }) else { continue }
            for match in first.matches(of: cell) { codes.insert(String(match.output[1].substring!)) }
        }
        return codes
    }

    @Test func allNamesEveryDeclaredCodeOnce() throws {
        let all = RuleCode.all.map(\.rawValue)
        #expect(Set(all).count == all.count, "a code is listed twice")
        #expect(Set(all) == (try declaredCodes()))
    }

    @Test func theREADMEDocumentsEveryCodeAndNoOther() throws {
        let documented = try documentedCodes()
        let all = Set(RuleCode.all.map(\.rawValue))
        #expect(all.subtracting(documented).isEmpty, "codes missing from the README's rule tables: \(all.subtracting(documented).sorted())")
        #expect(documented.subtracting(all).isEmpty, "the README documents codes nothing emits: \(documented.subtracting(all).sorted())")
    }
}
