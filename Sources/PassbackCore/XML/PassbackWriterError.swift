/// Why a ``PassbackWriter`` could not write its file: an I/O failure (disk full, permissions), a
/// value XML cannot carry, or a document that cannot be valid (an active result without a score
/// status). The file is incomplete and must not be published.
struct PassbackWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
