import Foundation
import PassbackCore

extension StatusCommand {
    /// `passback status --run ID --html`: prints the path of the run's staff page, written from
    /// the ledger first when it is missing (the work is ``StaffReport`` in the core).
    func printStaffPage() throws {
        guard let runID else { throw failure(2, "--html needs --run ID: the page is one run's") }
        let workspace: Workspace
        let settings: Settings
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            settings = try Settings.load(root: workspace.root)
        } catch let error as SettingsError {
            throw failure(2, error.message)
        } catch {
            throw failure(2, "\(error)")
        }
        let path: String
        do {
            path = try StaffReport.pagePath(runID: runID, workspace: workspace, settings: settings)
        } catch let error as StaffReport.Unavailable {
            throw failure(1, error.description)
        } catch {
            throw failure(2, "cannot write the page of run \(runID): \(error)")
        }
        print(path)
    }
}
