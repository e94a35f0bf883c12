import CLibXML2
import Foundation

/// A page as libxml2's HTML parser reads it (no network, errors quiet): its elements with their
/// attributes, and its text, to check what a browser would build from the staff pages.
struct HTMLTestDocument {
    final class Node {
        var name: String
        var attributes: [(name: String, value: String)] = []
        var children: [Node] = []
        /// For a text node: its text.
        var text: String?

        init(name: String) { self.name = name }

        var isElement: Bool { text == nil && name != "#comment" }

        /// The text of the node and all below it.
        var textContent: String {
            if let text { return text }
            return children.map(\.textContent).joined()
        }

        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

        /// Every element at or below this one, in document order.
        var elements: [Node] {
            guard isElement else { return [] }
            return [self] + children.flatMap(\.elements)
        }

        func descendants(named name: String) -> [Node] { elements.filter { $0.name == name } }
    }

    let root: Node

    init(_ html: String) throws {
        let bytes = Array(html.utf8)
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { htmlReadMemory($0.baseAddress, Int32($0.count), nil, "UTF-8", options) }
        }
        guard let document = parsed else { throw ParseFailure() }
        defer { xmlFreeDoc(document) }
        guard let top = xmlDocGetRootElement(document) else { throw ParseFailure() }
        root = Self.convert(top)
    }

    struct ParseFailure: Error {}

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    private static func convert(_ node: xmlNodePtr) -> Node {
        let converted = Node(name: string(node.pointee.name))
        switch node.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            converted.text = string(node.pointee.content)
            converted.name = "#text"
            return converted
        case XML_COMMENT_NODE:
            converted.name = "#comment"
            return converted
        default:
            break
        }
        var attribute = node.pointee.properties
        while let current = attribute {
            let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
            converted.attributes.append((string(current.pointee.name), string(value)))
            if let value { passback_xmlFree(value) }
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            converted.children.append(convert(current))
            child = current.pointee.next
        }
        return converted
    }

    var elements: [Node] { root.elements }
    var text: String { root.textContent }

    /// The table whose caption starts with `caption`: each body row's cells (`th` and `td`) as text.
    func table(caption: String) -> [[String]]? {
        root.descendants(named: "table").first { $0.descendants(named: "caption").first?.textContent.hasPrefix(caption) == true }.map(Self.rows)
    }

    /// Every table of `class`, its body rows one after the other.
    func tables(class name: String) -> [[String]] {
        root.descendants(named: "table").filter { $0.attribute("class") == name }.flatMap(Self.rows)
    }

    /// ``tables(class:)`` of a page that must parse.
    static func tablesOrEmpty(_ html: String, class name: String) -> [[String]] {
        (try? HTMLTestDocument(html))?.tables(class: name) ?? []
    }

    private static func rows(_ table: Node) -> [[String]] {
        table.descendants(named: "tbody").flatMap { $0.descendants(named: "tr") }.map { row in
            row.children.filter { $0.name == "th" || $0.name == "td" }.map { $0.textContent.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }
}
