/// Why a passback XML file could not be written (by ``PassbackXMLBuffer``, or by the tests'
/// libxml2 reference writer): an I/O failure (disk full, permissions), a
/// value XML cannot carry, or a document that cannot be valid (an active result without a score
/// status). The file is incomplete and must not be published.
struct PassbackWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
