import Foundation
import Logging
import Testing

@testable import PassbackCore

/// ``TerminalText`` and ``TerminalSafeLogHandler``: what a registrar's file name can hold never
/// reaches a terminal or a log line raw.
@Suite struct TerminalTextTests {
    @Test func controlsDeleteC1AndBidiAreEscapedTheRestKept() {
        #expect(TerminalText.escaping("biology.gradebook.csv") == "biology.gradebook.csv")
        #expect(TerminalText.escaping("Élève – notes.csv") == "Élève – notes.csv")
        #expect(TerminalText.escaping("a\nb\rc\td") == #"a\nb\rc\td"#)
        #expect(TerminalText.escaping("\u{0}\u{1B}[31m\u{7F}\u{85}\u{9B}") == #"\u{0}\u{1B}[31m\u{7F}\u{85}\u{9B}"#)
        #expect(TerminalText.escaping("x\u{202A}\u{202E}\u{2066}\u{2069}\u{2028}") == "x\\u{202A}\\u{202E}\\u{2066}\\u{2069}\u{2028}")
        // A backslash is doubled, so an escape in the output always means the byte was there.
        #expect(TerminalText.escaping(#"a\nb"#) == #"a\\nb"#)
    }

    /// Collects what the wrapped handler is asked to write.
    final class Lines: @unchecked Sendable {
        var events: [LogEvent] = []
    }

    struct Recorder: LogHandler {
        let lines: Lines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.events.append(event) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "bad\nline" }
    }

    @Test func theLogHandlerEscapesMessageMetadataProviderAndError() throws {
        let lines = Lines()
        var handler = TerminalSafeLogHandler(Recorder(lines: lines))
        handler.metadataProvider = Logger.MetadataProvider { ["provided": "p\u{1B}"] }
        handler[metadataKey: "k\n"] = "v\n"
        let configured = handler
        var logger = Logger(label: "test") { _ in configured }
        logger.logLevel = .trace
        logger.warning("file\nrejected", error: Failure(), metadata: ["file": "a\u{1B}b", "nested": ["x": ["y\r", .stringConvertible(Failure())]]])
        let event = try #require(lines.events.first)
        #expect(event.message.description == #"file\nrejected"#)
        #expect(event.error == nil)
        let metadata = try #require(event.metadata)
        #expect(metadata["file"]?.description == #"a\u{1B}b"#)
        #expect(metadata["provided"]?.description == #"p\u{1B}"#)
        #expect(metadata["error.message"]?.description == #"bad\nline"#)
        guard case .dictionary(let nested)? = metadata["nested"], case .array(let items)? = nested["x"] else {
            Issue.record("nested metadata lost its shape: \(metadata)")
            return
        }
        #expect(items.map(\.description) == [#"y\r"#, #"bad\nline"#])
        #expect(handler.metadata == [#"k\n"#: #"v\n"#])
    }
}
