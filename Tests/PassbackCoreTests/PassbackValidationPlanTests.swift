import CLibXML2
import Foundation
import Testing

@testable import PassbackCore

/// A large section's file is validated in parts (``PassbackValidationPlan``, issue 12): the
/// verdict must be the one libxml2 gives the whole file, and the XSD must keep the shape that
/// makes that true.
@Suite struct PassbackValidationPlanTests {
    // MARK: The schema the parts rely on

    /// An element of the XSD: its local name, attributes and element children.
    final class SchemaNode {
        let name: String
        var attributes: [String: String] = [:]
        var children: [SchemaNode] = []
        weak var parent: SchemaNode?

        init(name: String) { self.name = name }

        var all: [SchemaNode] { [self] + children.flatMap(\.all) }

        /// The nearest `xs:element` above this node: the element a constraint belongs to.
        var owningElement: SchemaNode? {
            var node = parent
            while let current = node, current.name != "element" { node = current.parent }
            return node
        }
    }

    static func parsedSchema() throws -> SchemaNode {
        let bytes = Array(EmbeddedSchemas.passback.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), nil, "UTF-8", Int32(XML_PARSE_NONET.rawValue)) }
        }
        let parsed = try #require(document)
        defer { xmlFreeDoc(parsed) }
        return convert(try #require(xmlDocGetRootElement(parsed)), parent: nil)
    }

    static func convert(_ node: xmlNodePtr, parent: SchemaNode?) -> SchemaNode {
        let converted = SchemaNode(name: String(cString: node.pointee.name))
        converted.parent = parent
        var attribute = node.pointee.properties
        while let current = attribute {
            let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
            converted.attributes[String(cString: current.pointee.name)] = value.map { String(cString: $0) } ?? ""
            if let value { passback_xmlFree(value) }
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { converted.children.append(convert(current, parent: converted)) }
            child = current.pointee.next
        }
        return converted
    }

    /// Validating a line item apart from the others is the same as validating it in its file
    /// only while no rule of the XSD spans line items other than `UniqueLineItem`, which the
    /// outline part checks. If this fails, the schema changed: change ``PassbackValidationPlan``
    /// with it (or validate large files whole again), then this test.
    @Test func noRuleOfTheSchemaSpansLineItemsButTheOneTheOutlineChecks() throws {
        let schema = try Self.parsedSchema()
        let constraints = schema.all.filter { ["unique", "key", "keyref"].contains($0.name) }
        let described = constraints.map { constraint -> String in
            let selector = constraint.children.first { $0.name == "selector" }?.attributes["xpath"] ?? "?"
            let fields = constraint.children.filter { $0.name == "field" }.compactMap { $0.attributes["xpath"] }
            return
                "\(constraint.name) \(constraint.attributes["name"] ?? "?") on \(constraint.owningElement?.attributes["name"] ?? "?"): \(selector) \(fields.joined(separator: " "))"
        }
        #expect(
            described.sorted() == [
                "unique UniqueLineItem on Section: ap:LineItem @sourcedId",
                "unique UniqueResult on LineItem: ap:Result @sourcedId",
                "unique UniqueSection on GradePassback: ap:Section @classSourcedId @canvasCourseId @canvasSectionId",
            ])
        // No type whose values must be unique in, or refer across, the whole document.
        let documentWideTypes: Set<String> = ["xs:ID", "xs:IDREF", "xs:IDREFS", "xs:ENTITY", "xs:ENTITIES"]
        let typed = schema.all.compactMap { $0.attributes["type"] ?? $0.attributes["base"] ?? $0.attributes["itemType"] }
        #expect(typed.filter(documentWideTypes.contains).isEmpty)
        // The outline part drops every Result: a line item may have none, and they come last.
        let lineItemType = try #require(schema.all.first { $0.name == "complexType" && $0.attributes["name"] == "LineItem" })
        let sequence = try #require(lineItemType.children.first { $0.name == "sequence" })
        let last = try #require(sequence.children.last)
        #expect(last.attributes["name"] == "Result")
        #expect(last.attributes["minOccurs"] == "0")
        #expect(last.attributes["maxOccurs"] == "unbounded")
    }

    // MARK: Parts judged as the whole file

    static let header = PassbackHeader(runID: "20261130T040000Z-1", mode: .bulk, generatedAt: Date(timeIntervalSince1970: 1_795_000_000))

    static func lineItem(_ id: Int, results: Int, title: String? = nil, category: String = "GCT1", duplicateResult: Bool = false) -> PassbackLineItem {
        var list = (0..<results).map {
            PassbackResult(
                sourcedID: "canvas-\(id):\($0)", studentSourcedID: "\($0)", scoreStatus: .fullyGraded, score: ExactDecimal(Int64($0 % 10)), scoreDate: Make.day("2025-09-30"))
        }
        if duplicateResult, let first = list.first { list.insert(first, at: list.count / 2) }
        return PassbackLineItem(
            sourcedID: "canvas-\(id)", title: title ?? "Assignment \(id)", categorySourcedID: category, assignDate: Make.day("2025-09-01"), dueDate: Make.day("2025-09-11"),
            resultValueMax: ExactDecimal(10), results: list)
    }

    /// Sections with faults in different places: in the first line item, across line items far
    /// apart (different parts), inside one line item, in the last one, and a line item without
    /// results between others.
    static let sections: [(name: String, items: [PassbackLineItem])] = [
        ("valid", (0..<9).map { lineItem($0, results: [5, 0, 12, 3, 7, 1, 9, 4, 6][$0]) }),
        ("one line item", [lineItem(1, results: 40)]),
        ("no line items", []),
        ("a line item twice, far apart", (0..<8).map { lineItem($0 == 7 ? 1 : $0, results: 6) }),
        ("a line item twice, side by side", (0..<6).map { lineItem($0 == 3 ? 2 : $0, results: 6) }),
        ("a result twice", (0..<6).map { lineItem($0, results: 8, duplicateResult: $0 == 4) }),
        ("a title too long at the end", (0..<6).map { lineItem($0, results: 5, title: $0 == 5 ? String(repeating: "x", count: 256) : nil) }),
        ("an empty category first", (0..<6).map { lineItem($0, results: 5, category: $0 == 0 ? "" : "GCT1") }),
        ("several faults", (0..<10).map { lineItem($0 % 7, results: 4, title: $0 == 8 ? "" : nil, duplicateResult: $0 == 2) }),
    ]

    func written(_ items: [PassbackLineItem], resultsPerPart: Int, to path: String) throws -> [String] {
        let section = PassbackSection(classSourcedID: "MST1", termSourcedID: "GTM1", schoolID: "702", canvasCourseID: "4242", canvasSectionID: "77", lineItems: [])
        let file = try PassbackFile(resultsPerValidatedPart: resultsPerPart).begin(header: Self.header, section: section, at: path)
        for item in items { try file.write(item) }
        return try file.finish()
    }

    @Test(arguments: [1, 5, 13, 30, 1_000])
    func aFileValidatedInPartsIsJudgedAsTheWholeFile(resultsPerPart: Int) throws {
        let folder = TestScratch.root.appendingPathComponent("parts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, section) in Self.sections.enumerated() {
            let path = folder.appendingPathComponent("\(index).xml").path
            let inParts = try written(section.items, resultsPerPart: resultsPerPart, to: path)
            let whole = PassbackFile().validate(fileAt: path)
            // The same problems, at the same lines of the file (parts report in another order).
            #expect(inParts.sorted() == whole.sorted(), "\(section.name), \(resultsPerPart) results per part")
            #expect(inParts.isEmpty == (section.name == "valid" || section.name == "one line item" || section.name == "no line items"), "\(section.name)")
        }
    }

    @Test func aLargeFileValidatedWhileWrittenInPartsIsJudgedAsTheWholeFile() throws {
        let folder = TestScratch.root.appendingPathComponent("parts-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 6,000 results, about 1.5 MB: the validating thread starts at the first 256 KiB and
        // reads the parts as they are written.
        let valid = (0..<20).map { Self.lineItem($0, results: 300) }
        var invalid = valid
        invalid[17] = Self.lineItem(17, results: 300, duplicateResult: true)
        invalid[19] = Self.lineItem(2, results: 300)
        for (items, expectValid) in [(valid, true), (invalid, false)] {
            let path = folder.appendingPathComponent("\(expectValid).xml").path
            let inParts = try written(items, resultsPerPart: 700, to: path)
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) > 4 * PassbackXMLBuffer.flushSize)
            #expect(inParts.isEmpty == expectValid)
            #expect(inParts.sorted() == PassbackFile().validate(fileAt: path).sorted())
        }
    }

    @Test func theOutlineLeavesOutResultsAndKeepsEverythingElse() throws {
        let folder = TestScratch.root.appendingPathComponent("parts-outline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.xml").path
        let items = [Self.lineItem(1, results: 3), Self.lineItem(2, results: 0), Self.lineItem(3, results: 2)]
        #expect(try written(items, resultsPerPart: 3, to: path) == [])
        let file = try #require(FileManager.default.contents(atPath: path)).map { $0 }

        var plan = PassbackValidationPlan(startLength: 0, resultsPerPart: 3)
        var buffer = PassbackXMLBuffer()
        try buffer.begin(Self.header)
        try buffer.begin(PassbackSection(classSourcedID: "MST1", termSourcedID: "GTM1", schoolID: "702", canvasCourseID: "4242", canvasSectionID: "77", lineItems: []))
        plan = PassbackValidationPlan(startLength: buffer.bytes.count, resultsPerPart: 3)
        for item in items {
            let start = buffer.bytes.count
            let results = try buffer.write(item)
            plan.wrote(.init(range: start..<buffer.bytes.count, results: results, resultCount: item.results.count))
        }
        buffer.endSection()
        buffer.finish()
        #expect(buffer.bytes == file)
        plan.finish(size: file.count)

        func text(_ part: PassbackValidationPlan.Part) -> String {
            var bytes: [UInt8] = []
            for segment in part.segments {
                switch segment {
                case .file(let start, let end): bytes += file[start..<end!]
                case .bytes(let added): bytes += added
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let parts = plan.parts.map(text)
        let whole = String(decoding: file, as: UTF8.self)
        // Line item 1 (3 results) closes the first part; 2 and 3 are the second, which ends
        // with the file; then the outline.
        #expect(parts.count == 3)
        #expect(parts[0].components(separatedBy: "<LineItem ").count == 2 && parts[0].hasSuffix("  </Section>\n</GradePassback>\n"))
        #expect(parts[1].components(separatedBy: "<LineItem ").count == 3 && whole.hasSuffix(parts[1].components(separatedBy: "    <LineItem sourcedId=\"canvas-2\"")[1]))
        #expect(!parts[2].contains("<Result "))
        #expect(parts[2].components(separatedBy: "<LineItem ").count == 4)
        let withoutResults = whole.replacingOccurrences(of: "      <Result [^\n]*\n(        [^\n]*\n)*      </Result>\n", with: "", options: .regularExpression)
        #expect(parts[2] == withoutResults)
        for part in parts.prefix(2) { #expect(part.hasPrefix(String(decoding: file[plan.start], as: UTF8.self))) }
    }

    @Test func aFileAbandonedWhileValidatedInPartsStopsItsValidation() throws {
        let folder = TestScratch.root.appendingPathComponent("parts-abandoned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let section = PassbackSection(classSourcedID: "MST1", termSourcedID: "GTM1", schoolID: "702", canvasCourseID: "4242", canvasSectionID: "77", lineItems: [])
        let file = try PassbackFile(resultsPerValidatedPart: 500).begin(header: Self.header, section: section, at: folder.appendingPathComponent("a.xml").path)
        for id in 0..<15 { try file.write(Self.lineItem(id, results: 300)) }
        file.abandon()  // returns once the validating thread has stopped (a hang fails the suite)
        file.abandon()
    }
}
