import Foundation
import Logging

/// Phase 2 of a run: an Aspire category export read and stored in the ledger, replacing the
/// older categories of each (term, section) it names; the file is marked processed in the same
/// transaction. An export that breaks the contract is recorded as rejected, then quarantined.
struct CategoryImport {
    let context: RunContext

    /// Imports one claimed export; returns whether it was rejected.
    func importExport(_ file: InboxFile) throws -> Bool {
        let path = context.mover.claimedPath(file)
        let reader = InputKind(relativePath: file.relativePath) == .categoriesXML ? context.stages.categoryXMLReader : context.stages.categoryCSVReader
        do {
            let export = try reader.read(fileAt: path)
            try context.ledger.storeCategories(export.categories, sourceFile: file.relativePath, runID: context.runID)
            CrashPoint.afterCategoryImport.reach()
            let sections = Set(export.categories.map(\.classSourcedID)).count
            context.logger.info("categories imported", metadata: ["file": "\(file.relativePath)", "categories": "\(export.categories.count)", "sections": "\(sections)"])
            return false
        } catch let error as InputFileError {
            let row = ReportRow(
                runID: context.runID, requestID: nil, diagnostic: .error(error.code, error.message, location: SourceLocation(file: file.relativePath, line: error.line)))
            let outcome = ProcessedBundle(
                stem: file.relativePath, outcome: .rejected, gradebookSHA256: nil, jsonSHA256: nil, clean: false,
                rejection: .init(file: file.relativePath, code: error.code, message: error.message, line: error.line)
            )
            try context.ledger.commit([], report: ReportChunk([row]), bundle: outcome, runID: context.runID, at: context.clock)
            try RunRecorder.quarantine([file], outcome, mover: context.mover)
            context.logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(error.code)"])
            return true
        }
    }
}
