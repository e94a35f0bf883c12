/// Validating UTF-8 decoding for the cells, JSON strings and stored ids that become kept text
/// (the standard library's generic `String(validating:as:)` looks up type metadata on every call).
///
/// `String(decoding:as:)` alone would turn bad bytes into U+FFFD silently, so a file saved in
/// Windows-1252 would yield section names and ids that match nothing. Overlong forms, surrogates
/// and truncated sequences are refused (the standard library's parser is strict).
enum UTF8Text {
    /// The text, or `nil` when the bytes are not valid UTF-8.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var isASCII = true
        for byte in bytes where byte >= 0x80 {
            isASCII = false
            break
        }
        if !isASCII {
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes.makeIterator()
            scan: while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid: continue
                case .emptyInput: break scan
                case .error: return nil
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
