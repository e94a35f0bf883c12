import Foundation
import PassbackCore

extension StatusCommand {
    /// `passback status --run ID --html`: prints the path of the run's staff page, written from
    /// the ledger first when it is missing (the work is ``StaffReport`` in the core).
    func printStaffPage() {
        guard let runID else { fail(2, "--html needs --run ID: the page is one run's") }
        let workspace = Workspace(root: URL(fileURLWithPath: root))
        do {
            let settings = try Settings.load(root: workspace.root)
            print(try StaffReport.pagePath(runID: runID, workspace: workspace, settings: settings))
        } catch let error as StaffReport.Unavailable {
            fail(1, error.description)
        } catch let error as SettingsError {
            fail(2, error.message)
        } catch {
            fail(2, "cannot write the page of run \(runID): \(error)")
        }
    }
}
