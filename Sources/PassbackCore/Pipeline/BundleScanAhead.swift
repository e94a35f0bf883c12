import Foundation

/// Phase 1 of a run (each bundle's content digests, course and sections) started while the
/// run is still claiming: worker threads scan every bundle whose two files are claimed while
/// the main thread claims the next ones and then imports the category exports, work that
/// otherwise ran one after the other (a 2,000-course inbox: ~0.12 s of claims, ~0.1 s of
/// scanning, up to 0.2 s of category import).
///
/// It only ever saves time: ``Batch/processClaimed()`` uses a result when it has one for the
/// same two files and scans whatever is missing (a failed scan is redone, and its error then
/// thrown, in the usual place).
final class BundleScanAhead: @unchecked Sendable {
    // @unchecked: `pending`, `next`, `closed` and `results` are touched only under `condition`.
    private let condition = NSCondition()
    /// Every bundle added; `next` is the first not yet taken.
    private var pending: [InboxScanner.Bundle] = []
    private var next = 0
    private var closed = false
    private var results: [String: Batch.BundleScan] = [:]
    private let group = DispatchGroup()

    init(workers: Int, mover: InputMover, reader: any CanvasBundleReading) {
        for _ in 0..<max(1, workers) {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                while let bundle = take() {
                    let scan = try? Batch.scanBundle(bundle, mover: mover, reader: reader)
                    condition.withLock { results[Self.key(bundle)] = scan }
                }
            }
        }
    }

    /// A bundle whose two files are in the work folder.
    func add(_ bundle: InboxScanner.Bundle) {
        condition.withLock {
            pending.append(bundle)
            condition.signal()
        }
    }

    /// Waits for the bundles added so far; returns their scans by stem and files.
    func finish() -> [String: Batch.BundleScan] {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
        group.wait()
        return condition.withLock { results }
    }

    static func key(_ bundle: InboxScanner.Bundle) -> String {
        bundle.gradebook.relativePath + "\u{0}" + bundle.json.relativePath
    }

    private func take() -> InboxScanner.Bundle? {
        condition.withLock {
            while next == pending.count && !closed { condition.wait() }
            guard next < pending.count else { return nil }
            defer { next += 1 }
            return pending[next]
        }
    }
}
