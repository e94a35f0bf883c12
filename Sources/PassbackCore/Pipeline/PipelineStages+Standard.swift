extension PipelineStages {
    /// The production stages: the hand-written streaming CSV readers, Foundation's JSON decoder
    /// for the API responses, libxml2 for category XML, the passback XML and its XSD check.
    public static var standard: PipelineStages {
        PipelineStages(
            gradebookReader: GradebookReader(),
            bundleReader: CanvasBundleReader(),
            categoryCSVReader: CategoryCSVReader(),
            categoryXMLReader: CategoryXMLReader(),
            passbackWriter: PassbackFile()
        )
    }
}

extension GradebookReader: GradebookReading {}
extension CategoryCSVReader: CategoryExportReading {}
