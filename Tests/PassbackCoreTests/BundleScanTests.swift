import Foundation
import Testing

@testable import PassbackCore

@Suite struct BundleScanTests {
    /// Scanning on the worker pool (as a run does while it claims) gives what scanning one
    /// bundle at a time gives, in submission order; a bundle that cannot be scanned fails alone.
    @Test func scansOnThePoolAreTheScansOfEachBundle() throws {
        let root = TestScratch.root.appendingPathComponent("scan-\(UUID().uuidString)")
        let workspace = try Workspace.made(at: root)
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

        let reader = CanvasBundleReader()
        let pool = OrderedWorkerPool<InboxScanner.Bundle, BundleScan>(workers: 2) { try BundleScan($0, mover: mover, reader: reader) }
        for item in [good, nested, malformed, missing] { pool.submit(item) }
        let scans = pool.drain()

        #expect(scans.count == 4)
        for (item, result) in zip([good, nested, malformed], scans) {
            let scan = try result.get()
            let alone = try BundleScan(item, mover: mover, reader: reader)
            #expect(scan.gradebookSHA256 == alone.gradebookSHA256)
            #expect(scan.jsonSHA256 == alone.jsonSHA256)
            #expect(scan.canvas == alone.canvas)
        }
        #expect(try scans[0].get().canvas?.course.id == "4242")
        #expect(try scans[0].get().gradebookSHA256 == ContentDigest.sha256(fileAt: Fixture.path("gradebooks/canvas-synthetic.csv")))
        #expect(try scans[2].get().canvas == nil, "a JSON that does not read has no outline; the bundle is rejected later")
        #expect(throws: (any Error).self) { try scans[3].get() }
    }
}
