import Foundation

/// The write stage's production form: the XML rendered by ``PassbackXMLBuffer`` (byte for byte
/// what libxml2's `xmlTextWriter` writes, several times faster; the tests keep a writer on
/// `xmlTextWriter` as the reference it is compared with) and the
/// streaming XSD check of ``SchemaValidator/passback`` (libxml2), which every file passes before
/// it is published.
struct PassbackFile: PassbackFileWriting {
    init() {}

    func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws {
        let file = try PassbackOutputFile(path: path)
        defer { file.closeFile() }
        guard !sections.isEmpty else {
            throw PassbackWriterError("\(path) has no Section; a passback file needs at least one")
        }
        var buffer = PassbackXMLBuffer()
        try buffer.begin(header)
        for section in sections {
            try buffer.write(section, flushingTo: file)
        }
        buffer.finish()
        try buffer.flush(to: file)
        guard file.closeFile() else { throw PassbackWriterError(file.failure ?? "cannot close \(path)") }
    }

    func validate(fileAt path: String) -> [String] {
        SchemaValidator.passback.validate(fileAt: path).map(\.description)
    }
}

extension CategoryXMLReader: CategoryExportReading {}
