import Foundation

/// Phase 3 of a run, for one bundle: what must be known of every bundle before any is
/// processed: its content digests (to tell a byte-identical re-drop) and its course and sections
/// (to create its requests, cancel an older bundle of the same course, and order bundles that
/// send to the same Aspire section). Scanned on the worker pool from the moment the bundle's two
/// files are claimed.
struct BundleScan: Sendable {
    var gradebookSHA256: String
    var jsonSHA256: String
    /// The course and its sections, when the JSON reads (else the bundle is rejected later).
    var canvas: CanvasBundle.Outline?

    init(gradebookSHA256: String, jsonSHA256: String, canvas: CanvasBundle.Outline?) {
        self.gradebookSHA256 = gradebookSHA256
        self.jsonSHA256 = jsonSHA256
        self.canvas = canvas
    }

    /// Scans a claimed bundle.
    /// - Throws: when a file cannot be read at all (the run stops: the work folder is its own).
    init(_ bundle: InboxScanner.Bundle, mover: InputMover, reader: any CanvasBundleReading) throws {
        let clock = StageClock.shared
        let digests = try clock.measure(.intake) {
            (try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.gradebook)), try ContentDigest.sha256(fileAt: mover.claimedPath(bundle.json)))
        }
        let outline = clock.measure(.plan) { try? reader.outline(fileAt: mover.claimedPath(bundle.json)) }
        self.init(gradebookSHA256: digests.0, jsonSHA256: digests.1, canvas: outline)
    }
}
