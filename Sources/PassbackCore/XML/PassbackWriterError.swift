/// Why a ``PassbackWriter`` could not write its file: an I/O failure (disk full, permissions), a
/// value XML cannot carry, or a document that cannot be valid (an active result without a score
/// status). The file is incomplete and must not be published.
public struct PassbackWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
