import Foundation
import Testing
@testable import PassbackCore

@Suite struct BundleScanAheadTests {
    /// Scanning ahead gives what phase 1 computes itself; a bundle that cannot be scanned is left
    /// out, so the run scans it again and throws its error where it always did.
    @Test func givesWhatPhaseOneComputesAndLeavesFailuresToTheRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scan-ahead-\(UUID().uuidString)")
        let workspace = Workspace(root: root)
        try workspace.prepare()
        defer { try? FileManager.default.removeItem(at: root) }
        let mover = InputMover(workspace: workspace, runID: "R1")
        try FileManager.default.createDirectory(at: mover.workFolder.appendingPathComponent("east"), withIntermediateDirectories: true)

        func bundle(_ stem: String, gradebook: String, json: String?) throws -> InboxScanner.Bundle {
            let files = InboxScanner.Bundle(
                stem: stem,
                gradebook: InboxFile(relativePath: stem + ".gradebook.csv", size: 0, modified: Date()),
                json: InboxFile(relativePath: stem + ".canvas.json", size: 0, modified: Date())
            )
            try FileManager.default.copyItem(atPath: Fixture.path("gradebooks/" + gradebook), toPath: mover.claimedPath(files.gradebook))
            if let json { try FileManager.default.copyItem(atPath: Fixture.path("bundles/" + json), toPath: mover.claimedPath(files.json)) }
            return files
        }
        let good = try bundle("algebra", gradebook: "canvas-synthetic.csv", json: "algebra.canvas.json")
        let nested = try bundle("east/minimal", gradebook: "blank-lines.csv", json: "minimal.canvas.json")
        let malformed = try bundle("broken", gradebook: "blank-lines.csv", json: "malformed-truncated.canvas.json")
        let missing = try bundle("half", gradebook: "blank-lines.csv", json: nil)

        let ahead = BundleScanAhead(workers: 2, mover: mover, reader: CanvasBundleReader())
        for item in [good, nested, malformed, missing] { ahead.add(item) }
        let scans = ahead.finish()

        let direct = try Batch.scanBundles([good, nested, malformed], mover: mover, reader: CanvasBundleReader(), workers: 1)
        for (item, expected) in zip([good, nested, malformed], direct) {
            let scan = try #require(scans[BundleScanAhead.key(item)], "\(item.stem)")
            #expect(scan.gradebookSHA256 == expected.gradebookSHA256)
            #expect(scan.jsonSHA256 == expected.jsonSHA256)
            #expect(scan.canvas == expected.canvas)
        }
        #expect(scans[BundleScanAhead.key(good)]?.canvas?.course.id == "4242")
        #expect(scans[BundleScanAhead.key(malformed)]?.canvas == nil)
        #expect(scans[BundleScanAhead.key(missing)] == nil)
        #expect(throws: (any Error).self) { try Batch.scanBundles([missing], mover: mover, reader: CanvasBundleReader(), workers: 1) }
        // Finishing again (the run's clean-up after an error) returns the same and does not hang.
        #expect(ahead.finish().count == 3)
    }
}
