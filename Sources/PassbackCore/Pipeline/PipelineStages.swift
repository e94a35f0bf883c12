import Foundation

/// Reads a Canvas gradebook export (the read stage).
protocol GradebookReading: Sendable {
    func read(fileAt path: String) throws -> Gradebook
}

/// Reads a course bundle's API responses (the read stage).
protocol CanvasBundleReading: Sendable {
    func read(fileAt path: String) throws -> CanvasBundle
    /// The course and sections of the bundle; throws exactly when ``read(fileAt:)`` would.
    func outline(fileAt path: String) throws -> CanvasBundle.Outline
}

extension CanvasBundleReading {
    func outline(fileAt path: String) throws -> CanvasBundle.Outline {
        try read(fileAt: path).outline
    }
}

/// Reads an Aspire category export of one encoding (the read stage).
protocol CategoryExportReading: Sendable {
    func read(fileAt path: String) throws -> AspireCategoryExport
}

/// Writes one passback XML file and checks it against the XSD (the write stage). The pipeline
/// publishes the file only when the XSD finds no problem.
protocol PassbackFileWriting: Sendable {
    func write(header: PassbackHeader, sections: [PassbackSection], to path: String) throws
    /// Problems found by the XSD, empty when the file is valid.
    func validate(fileAt path: String) -> [String]
    /// Starts the file of one section (`section`'s line items are ignored), whose line items are
    /// then written one at a time: how a run writes, never holding a section's results (issue 12).
    func begin(header: PassbackHeader, section: PassbackSection, at path: String) throws -> any PassbackSectionFile
}

/// One section's passback XML being written, line item by line item.
protocol PassbackSectionFile: AnyObject {
    func write(_ item: PassbackLineItem) throws
    /// Ends and closes the file: the problems the XSD found, empty when it is valid.
    func finish() throws -> [String]
    /// Stops writing (and validating) the file, left as it is; the caller removes it.
    func abandon()
}

/// The replaceable stages of a run: intake → read → rules → match → diff → write → report →
/// ledger. The defaults are the production readers and writer; tests swap any of them.
public struct PipelineStages: Sendable {
    var gradebookReader: any GradebookReading
    var bundleReader: any CanvasBundleReading
    var categoryCSVReader: any CategoryExportReading
    var categoryXMLReader: any CategoryExportReading
    var passbackWriter: any PassbackFileWriting
    var rules: RuleBook

    init(
        gradebookReader: any GradebookReading, bundleReader: any CanvasBundleReading, categoryCSVReader: any CategoryExportReading, categoryXMLReader: any CategoryExportReading,
        passbackWriter: any PassbackFileWriting, rules: RuleBook = .standard
    ) {
        self.gradebookReader = gradebookReader
        self.bundleReader = bundleReader
        self.categoryCSVReader = categoryCSVReader
        self.categoryXMLReader = categoryXMLReader
        self.passbackWriter = passbackWriter
        self.rules = rules
    }
}

extension CanvasBundleReader: CanvasBundleReading {}
