import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Opens a workspace's ledger for a run, and refuses the ledgers with which a run would silently
/// start afresh or write over another workspace's history (issue 12, item 5):
///
/// - **missing or empty** while the workspace shows earlier runs (reports, XML, archived or
///   quarantined inputs, or the ledger's id file): a new ledger would resend every grade as new
///   and forget every held one; the operator restores the backup instead;
/// - **replaced** (another workspace's ledger, or one made afresh by hand): its id is not the one
///   in `state/ledger.id`;
/// - **damaged**: `PRAGMA quick_check` finds a fault before the run writes anything.
///
/// A ledger restored from this workspace's own backup has the right id and opens; what it does not
/// know of later runs is handled by the run (``RunPipeline``): a `work/<run id>/` it has no run
/// for is returned to the inbox, and run ids skip every name already used in the workspace.
enum WorkspaceLedger {
    static let identityFileName = "ledger.id"

    static func open(_ workspace: Workspace) throws(RunError) -> Ledger {
        let path = workspace.ledgerPath
        let identityFile = workspace.state.appendingPathComponent(identityFileName).path
        let expectedID = readIdentity(identityFile)
        var info = stat()
        let present = lstat(path, &info) == 0 && info.st_size > 0
        if !present {
            let traces = earlierRuns(in: workspace) + (expectedID != nil ? ["state/\(identityFileName)"] : [])
            if !traces.isEmpty {
                throw RunError(
                    .ledger,
                    "the ledger \(path) is \(lstat(path, &info) == 0 ? "empty" : "missing"), but this workspace has earlier runs (\(traces.joined(separator: ", "))); a new ledger would resend every grade and forget held ones. Restore state/ledger.sqlite from its backup (README: \"Restoring after a fault\"), or move the workspace's folders aside to start a new one on purpose"
                )
            }
        }
        let ledger: Ledger
        do {
            ledger = try Ledger(path: path)
        } catch {
            throw RunError(.ledger, "the ledger \(path) cannot be opened: \(error); restore it from its backup (README: \"Restoring after a fault\")")
        }
        do {
            let check = try ledger.quickCheck()
            guard check == "ok" else {
                throw RunError(
                    .ledger,
                    "the ledger \(path) is damaged (SQLite's quick_check: \(check.prefix(200))); nothing was done. Restore it from its backup (README: \"Restoring after a fault\")"
                )
            }
            if let stored = try ledger.identity() {
                if let expectedID, expectedID != stored {
                    throw RunError(
                        .ledger,
                        "the ledger \(path) is not this workspace's (its id \(stored) is not \(expectedID), the id in state/\(identityFileName)); put this workspace's ledger back, or restore it from its backup"
                    )
                }
                if expectedID == nil { try writeIdentity(stored, to: identityFile) }
            } else {
                let id = expectedID ?? UUID().uuidString.lowercased()
                try ledger.setIdentity(id)
                if expectedID == nil { try writeIdentity(id, to: identityFile) }
            }
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.ledger, "the ledger \(path) cannot be used: \(error)")
        }
        return ledger
    }

    /// What in the workspace shows that runs happened: non-empty `reports/`, `outbox/`,
    /// `archive/`, `quarantine/` or `work/`.
    static func earlierRuns(in workspace: Workspace) -> [String] {
        [workspace.reports, workspace.outbox, workspace.archive, workspace.quarantine, workspace.work].compactMap { folder in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.contains { !$0.hasPrefix(".") } ? folder.lastPathComponent + "/" : nil
        }
    }

    static func readIdentity(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func writeIdentity(_ id: String, to path: String) throws {
        let file = try DurableFile(finalPath: path)
        try file.write(Array((id + "\n").utf8))
        try file.publish()
    }
}
