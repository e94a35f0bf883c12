import Foundation
import Testing

@testable import PassbackCore

@Suite struct SchemaValidatorTests {
    /// The spec's section 5.1 example, with `mode="incremental"` for the example's placeholder
    /// `incremental|bulk`. Lines: 1 GradePassback, 2 Section, 3 LineItem, 4 Title, 12 ScoreStatus,
    /// 13 Score, 14 ScoreDate, 16 the deleted Result.
    static let specExample = "xml/spec-5.1-example.xml"

    @Test func theSpecExampleIsValid() throws {
        let problems = SchemaValidator.passback.validate(fileAt: XMLTestFiles.fixture(Self.specExample).path)
        #expect(problems == [])
    }

    @Test func theEmbeddedSchemasAreTheFilesInTheRepository() throws {
        for (embedded, file) in [
            (EmbeddedSchemas.passback, "schemas/aspire-passback-1.xsd"),
            (EmbeddedSchemas.categories, "schemas/aspire-categories-1.xsd"),
        ] {
            let onDisk = try Data(contentsOf: XMLTestFiles.repositoryRoot.appendingPathComponent(file))
            #expect(Data(embedded.utf8) == onDisk, "\(file) differs from what the binary embeds: check the Schemas link and Package.swift")
        }
    }

    @Test func bothSchemasCompile() {
        #expect(SchemaValidator.passback.targetNamespace == "urn:aspire-passback:1")
        #expect(SchemaValidator.categories.targetNamespace == "urn:aspire-categories:1")
    }

    struct Violation: Sendable, CustomTestStringConvertible {
        var name: String
        var replacing: String
        var with: String
        var line: Int
        var fragment: String
        var testDescription: String { name }
    }

    static let violations: [Violation] = [
        Violation(name: "wrong namespace", replacing: "urn:aspire-passback:1", with: "urn:aspire-passback:2", line: 1, fragment: "No matching global declaration"),
        Violation(name: "schemaVersion other than 1", replacing: #"schemaVersion="1""#, with: #"schemaVersion="2""#, line: 1, fragment: "schemaVersion"),
        Violation(name: "unknown mode", replacing: #"mode="incremental""#, with: #"mode="weekly""#, line: 1, fragment: "mode"),
        Violation(name: "generatedAt without a zone", replacing: "2026-11-27T09:00:00Z", with: "2026-11-27T09:00:00", line: 1, fragment: "generatedAt"),
        Violation(name: "non-numeric Canvas section id", replacing: #"canvasSectionId="77""#, with: #"canvasSectionId="P1""#, line: 2, fragment: "canvasSectionId"),
        Violation(name: "line item id not canvas-<id>", replacing: #"sourcedId="canvas-1001" "#, with: #"sourcedId="1001" "#, line: 3, fragment: "sourcedId"),
        Violation(name: "missing Title", replacing: "      <Title>Homework 1: Linear Equations</Title>\n", with: "", line: 4, fragment: "Expected is ( Title )"),
        Violation(name: "empty Title", replacing: "<Title>Homework 1: Linear Equations</Title>", with: "<Title></Title>", line: 4, fragment: "Title"),
        Violation(name: "Title of 256 characters", replacing: "Homework 1: Linear Equations", with: String(repeating: "x", count: 256), line: 4, fragment: "Title"),
        Violation(
            name: "bad ScoreStatus value", replacing: "<ScoreStatus>fully graded</ScoreStatus>", with: "<ScoreStatus>graded</ScoreStatus>", line: 12, fragment: "ScoreStatus"),
        Violation(name: "score with an exponent", replacing: "<Score>9</Score>", with: "<Score>1e3</Score>", line: 13, fragment: "Score"),
        Violation(name: "score with a decimal comma", replacing: "<Score>9</Score>", with: "<Score>9,5</Score>", line: 13, fragment: "Score"),
        Violation(name: "negative score", replacing: "<Score>9</Score>", with: "<Score>-1</Score>", line: 13, fragment: "Score"),
        Violation(name: "impossible date", replacing: "<ScoreDate>2025-09-12</ScoreDate>", with: "<ScoreDate>2025-02-30</ScoreDate>", line: 14, fragment: "ScoreDate"),
        Violation(name: "date with a time", replacing: "<ScoreDate>2025-09-12</ScoreDate>", with: "<ScoreDate>2025-09-12T10:00:00Z</ScoreDate>", line: 14, fragment: "ScoreDate"),
        Violation(
            name: "Score before ScoreStatus", replacing: "<ScoreStatus>fully graded</ScoreStatus>\n        <Score>9</Score>",
            with: "<Score>9</Score>\n        <ScoreStatus>fully graded</ScoreStatus>", line: 12, fragment: "Score"),
        Violation(name: "ScoreStatus without ScoreDate", replacing: "        <ScoreDate>2025-09-12</ScoreDate>\n", with: "", line: 14, fragment: "ScoreDate"),
        Violation(name: "result id without the student", replacing: #"sourcedId="canvas-1001:604874""#, with: #"sourcedId="canvas-1001""#, line: 16, fragment: "sourcedId"),
        // libxml2 checks identity constraints when the element ends: the second Result's end tag.
        Violation(name: "duplicate result id", replacing: #"sourcedId="canvas-1001:604874""#, with: #"sourcedId="canvas-1001:604863""#, line: 18, fragment: "Duplicate"),
        Violation(
            name: "unknown element", replacing: "<StudentSourcedId>604874</StudentSourcedId>", with: "<StudentSourcedId>604874</StudentSourcedId><Comment>x</Comment>", line: 17,
            fragment: "Comment"),
        Violation(name: "not well-formed", replacing: "</Title>", with: "</Titel>", line: 4, fragment: "Titel"),
        Violation(name: "undeclared entity", replacing: "Homework 1", with: "&hw; 1", line: 4, fragment: "Entity 'hw' not defined"),
    ]

    @Test(arguments: violations)
    func reportsEachViolationWithItsLine(_ violation: Violation) throws {
        let example = try XMLTestFiles.fixtureText(Self.specExample)
        #expect(example.contains(violation.replacing))
        let path = try XMLTestFiles.scratchFile(example.replacingOccurrences(of: violation.replacing, with: violation.with))
        let problems = SchemaValidator.passback.validate(fileAt: path)
        let first = try #require(problems.first, "\(violation.name) was not reported")
        #expect(first.line == violation.line, "\(problems)")
        #expect(first.message.contains(violation.fragment), "\(problems)")
    }

    @Test func aLineItemTwiceInASectionIsReported() throws {
        let example = try XMLTestFiles.fixtureText(Self.specExample)
        let start = try #require(example.range(of: "    <LineItem"))
        let end = try #require(example.range(of: "</LineItem>\n"))
        let lineItem = example[start.lowerBound..<end.upperBound]
        let path = try XMLTestFiles.scratchFile(example.replacingCharacters(in: start.lowerBound..<end.upperBound, with: lineItem + lineItem))
        let problems = SchemaValidator.passback.validate(fileAt: path)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("UniqueLineItem") == true, "\(problems)")
        #expect(problems.first?.line == 36)
    }

    @Test func messagesLeaveOutTheSchemaNamespace() throws {
        let example = try XMLTestFiles.fixtureText(Self.specExample)
        let path = try XMLTestFiles.scratchFile(example.replacingOccurrences(of: "<Score>9</Score>", with: "<Score>1e3</Score>"))
        let problem = try #require(SchemaValidator.passback.validate(fileAt: path).first)
        #expect(problem.message.hasPrefix("Element 'Score':"))
        #expect(!problem.message.contains("urn:aspire-passback:1"))
    }

    @Test func aDocumentTypeDeclarationGivesNoEntities() throws {
        // The streaming validator declares no entities, so nothing is expanded or loaded.
        let path = try XMLTestFiles.scratchFile(
            """
            <?xml version="1.0"?>
            <!DOCTYPE GradePassback [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <GradePassback xmlns="urn:aspire-passback:1" schemaVersion="1" runId="&e;" mode="bulk" generatedAt="2026-11-27T09:00:00Z"/>
            """)
        let problems = SchemaValidator.passback.validate(fileAt: path)
        #expect(problems.first?.message.contains("Entity 'e' not defined") == true, "\(problems)")
        #expect(!problems.contains { $0.message.contains("root:") })
    }

    @Test func aMissingFileIsAProblemNotACrash() {
        let problems = SchemaValidator.passback.validate(fileAt: "/nonexistent/passback.xml")
        #expect(problems.count == 1)
    }

    @Test func manyProblemsAreCapped() throws {
        var text =
            #"<GradePassback xmlns="urn:aspire-passback:1" schemaVersion="1" runId="r" mode="bulk" generatedAt="2026-11-27T09:00:00Z"><Section classSourcedId="C" termSourcedId="T" schoolId="1" canvasCourseId="1" canvasSectionId="1">"#
        for index in 0..<300 {
            text +=
                #"<LineItem sourcedId="canvas-\#(index)" status="active"><Title>t</Title><CategorySourcedId>G</CategorySourcedId><AssignDate>2025-09-02</AssignDate><DueDate>2025-09-02</DueDate><ResultValueMin>0</ResultValueMin><ResultValueMax>1e3</ResultValueMax></LineItem>"#
        }
        text += "</Section></GradePassback>"
        let problems = SchemaValidator.passback.validate(fileAt: try XMLTestFiles.scratchFile(text))
        #expect(problems.count == 101)
        #expect(problems.last?.message.contains("more problems not listed") == true)
    }

    @Test func concurrentValidationsShareOneCompiledSchema() async throws {
        let valid = XMLTestFiles.fixture(Self.specExample).path
        let example = try XMLTestFiles.fixtureText(Self.specExample)
        let invalid = try XMLTestFiles.scratchFile(example.replacingOccurrences(of: "<Score>9</Score>", with: "<Score>1e3</Score>"))
        let results = await withTaskGroup(of: (Bool, [XMLProblem]).self) { group in
            for index in 0..<16 {
                group.addTask {
                    let isValidFile = index.isMultiple(of: 2)
                    return (isValidFile, SchemaValidator.passback.validate(fileAt: isValidFile ? valid : invalid))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        for (isValidFile, problems) in results {
            if isValidFile {
                #expect(problems == [])
            } else {
                #expect(problems.count == 1)
                #expect(problems.first?.line == 13)
            }
        }
    }

    @Test func aBrokenSchemaDoesNotCompile() {
        #expect(throws: SchemaCompilationError.self) {
            try SchemaValidator(xsd: #"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:nosuch"/></xs:schema>"#, targetNamespace: "")
        }
    }
}
