/// The write stage's production form: ``PassbackWriter`` (libxml2's streaming writer) and the
/// streaming XSD check of ``SchemaValidator/passback``.
public struct PassbackFile: PassbackFileWriting {
    public init() {}

    public func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws {
        let writer = try PassbackWriter(path: path)
        try writer.begin(header)
        for section in sections {
            try writer.write(section)
        }
        try writer.finish()
    }

    public func validate(fileAt path: String) -> [String] {
        SchemaValidator.passback.validate(fileAt: path).map(\.description)
    }
}

extension CategoryXMLReader: CategoryExportReading {}
