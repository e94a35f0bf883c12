import Mustache

/// HTML escaping for the staff pages: `&`, `<`, `>`, `"` and `'` become character references,
/// judged byte by byte on the UTF-8 text, so the result is safe both as element text and inside
/// a quoted attribute value whatever follows each character.
///
/// Replaces swift-mustache's own HTML escaping, which looks up whole `Character`s: a quote
/// followed by a combining mark is one grapheme cluster, not equal to `"`, and was left as it
/// was. Assignment, course and file names come from registrars' and teachers' files, so they
/// are hostile input.
struct StaffPageEscaping: MustacheContentType {
    static let name = "PASSBACK_HTML"

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { bytes -> String in
            guard bytes.contains(where: needsEscape) else { return text }
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + 16)
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "&"): escaped.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): escaped.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): escaped.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\""): escaped.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): escaped.append(contentsOf: "&#39;".utf8)
                default: escaped.append(byte)
                }
            }
            return String(decoding: escaped, as: UTF8.self)
        }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
