// TEMPORARY: replaced when the CSV readers land.
struct Unavailable: GradebookReading, CategoryExportReading {
    func read(fileAt path: String) throws -> Gradebook { throw InputFileError(.malformedFile, "unavailable") }
    func read(fileAt path: String) throws -> AspireCategoryExport { throw InputFileError(.malformedFile, "unavailable") }
}
extension PipelineStages {
    public static var standard: PipelineStages {
        PipelineStages(gradebookReader: Unavailable(), bundleReader: CanvasBundleReader(), categoryCSVReader: Unavailable(), categoryXMLReader: CategoryXMLReader(), passbackWriter: PassbackFile())
    }
}
