import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Canvas API access token (spec section 8): read from a file only its owner can read, from
/// `CANVAS_API_TOKEN`, or from the file named by the `[canvas]` setting `token_file`.
///
/// The value is kept private and every description of it is redacted, so a token interpolated
/// into a message or a log by mistake prints `<token>`; it leaves the process only as the
/// `Authorization: Bearer` header of a request to the Canvas host (``CanvasClient``).
public struct CanvasToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    /// The environment variable a token may be read from; the after_run hook's environment goes
    /// without it (``AfterRunHook``).
    static let environmentVariable = "CANVAS_API_TOKEN"

    /// Where the token came from, for messages: `--token-file /etc/passback/token`.
    let source: String

    /// `text` without surrounding white space (the final newline that `echo` writes is not part
    /// of the token).
    /// - Throws: ``SettingsError`` when nothing is left, or when what is left has a space or a
    ///   control character inside: it would not be one token, and a line break would let the
    ///   file add header lines to every request.
    init(text: String, source: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw SettingsError("\(source) holds no token") }
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SettingsError("\(source) holds more than one token, or characters a Canvas token never has (spaces, line breaks, non-ASCII); put the token alone on one line")
        }
        value = trimmed
        self.source = source
    }

    /// The `Authorization` header's value.
    var authorization: String { "Bearer " + value }

    /// Whether `text` contains the token (tests and the fake server check that it went nowhere
    /// else).
    package func occurs(in text: some StringProtocol) -> Bool { text.contains(value) }

    public var description: String { "<token>" }
    public var debugDescription: String { "<token>" }

    /// Reads a token file: a regular file that only its owner may read or write (mode 0600 or
    /// stricter), at most 4 KiB.
    /// - Throws: ``SettingsError`` saying what is wrong and how to fix it.
    static func read(file path: String, source: String) throws -> CanvasToken {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw SettingsError("\(source): cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SettingsError("\(source): cannot examine \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SettingsError("\(source): \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw SettingsError(
                "\(source): \(path) has mode \(String(mode, radix: 8, uppercase: false)), so others than its owner may read it; a token file must be 0600 or stricter (chmod 600 \(path))"
            )
        }
        var bytes = [UInt8](repeating: 0, count: 4097)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SettingsError("\(source): cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= 4096 else { throw SettingsError("\(source): \(path) is larger than a token file can be (4 KiB)") }
        guard let text = String(validating: bytes[..<filled], as: UTF8.self) else {
            throw SettingsError("\(source): \(path) is not text")
        }
        return try CanvasToken(text: text, source: source)
    }
}
