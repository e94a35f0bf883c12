// TEMPORARY: replaced when the readers land.
struct Unavailable: GradebookReading, CategoryExportReading, PassbackFileWriting {
    func read(fileAt path: String) throws -> Gradebook { throw InputFileError(.malformedFile, "unavailable") }
    func read(fileAt path: String) throws -> AspireCategoryExport { throw InputFileError(.malformedFile, "unavailable") }
    func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws {}
    func validate(fileAt path: String) -> [String] { [] }
}
extension PipelineStages {
    public static var standard: PipelineStages {
        PipelineStages(gradebookReader: Unavailable(), bundleReader: CanvasBundleReader(), categoryCSVReader: Unavailable(), categoryXMLReader: Unavailable(), passbackWriter: Unavailable())
    }
}
