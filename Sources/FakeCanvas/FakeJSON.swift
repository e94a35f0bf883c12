import Foundation

/// JSON as Canvas writes it: objects keep their members in the order given (Rails serialises
/// attributes in a fixed order), numbers are written as given (`80.0`), and `<`, `>` and `&` in
/// strings are escaped as `\u003c`, `\u003e`, `\u0026` (Rails' `ActiveSupport::JSON`
/// escaping), so a client that re-encodes what it received gives itself away.
public indirect enum FakeJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as its JSON text: `80.0`, `7`, `-1`.
    case number(String)
    case string(String)
    case array([FakeJSON])
    case object([(String, FakeJSON)])

    public static func int(_ value: Int) -> FakeJSON { .number(String(value)) }
    public static func text(_ value: String?) -> FakeJSON { value.map { .string($0) } ?? .null }

    public static func == (lhs: FakeJSON, rhs: FakeJSON) -> Bool {
        lhs.encoded() == rhs.encoded()
    }

    /// The member `key` of an object (the last one when repeated).
    public subscript(key: String) -> FakeJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// The object with `key` set (replaced in place, or added at the end).
    public func setting(_ key: String, _ value: FakeJSON) -> FakeJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .number(let text): out += Array(text.utf8)
        case .string(let text): Self.encode(string: text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.encode(string: member.0, into: &out)
                out.append(UInt8(ascii: ":"))
                member.1.encode(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func encode(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
