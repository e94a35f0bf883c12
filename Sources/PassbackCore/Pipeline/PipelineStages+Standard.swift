extension PipelineStages {
    /// The production stages: the hand-written streaming CSV readers, the bundle JSON reader (a
    /// byte-level fast path, Foundation's decoder for what it is unsure of), libxml2 for
    /// category XML and for the passback XML's XSD check.
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
