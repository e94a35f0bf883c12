import Foundation
import Logging

/// The intake stage's second half: what the inbox scan refused goes to quarantine with its
/// reason, the rest is claimed into the run's work folder (``InputMover/claim(_:)``), and a file
/// found unfit once claimed (a link or a hard link swapped in after the listing) follows the
/// refused ones. Each rejection's report row is recorded before its file moves.
struct InboxClaimer {
    let context: RunContext
    private(set) var counts = Run.FileCounts()

    init(context: RunContext) {
        self.context = context
    }

    private var mover: InputMover { context.mover }
    private var logger: Logger { context.logger }

    /// Quarantines the scan's rejections, claims its category exports and bundles, and hands
    /// each bundle whose two files are both claimed to `bundleClaimed`.
    mutating func claim(_ scan: InboxScanner.Scan, bundleClaimed: (InboxScanner.Bundle) -> Void) throws {
        for rejection in scan.rejected {
            try context.reportRejection(rejection.file, code: rejection.code, message: rejection.message)
            guard try mover.quarantine(rejection.file, code: rejection.code, message: rejection.message, line: nil, claimed: false) else {
                logger.warning("file left in the inbox: a folder on its path was replaced by a link", metadata: ["file": "\(rejection.file.relativePath)"])
                continue
            }
            counts.rejected += 1
            logger.warning("file rejected", metadata: ["file": "\(rejection.file.relativePath)", "rule": "\(rejection.code)"])
        }
        defer { try? mover.syncClaims() }
        for file in scan.categoryExports {
            _ = try claimOne(file)
        }
        for bundle in scan.bundles {
            let gradebook = try claimOne(bundle.gradebook)
            if try claimOne(bundle.json), gradebook { bundleClaimed(bundle) }
        }
        counts.waiting = scan.waiting.count
        try mover.syncClaims()
    }

    /// Whether the file is now in the work folder (else it went to quarantine, or was left).
    private mutating func claimOne(_ file: InboxFile) throws -> Bool {
        switch try mover.claim(file) {
        case .claimed:
            counts.claimed += 1
            return true
        case .refused(let refusal):
            try context.reportRejection(file, code: .unknownFile, message: refusal)
            try mover.quarantine(file, code: .unknownFile, message: refusal, line: nil, claimed: true)
            counts.rejected += 1
            logger.warning("file rejected", metadata: ["file": "\(file.relativePath)", "rule": "\(RuleCode.unknownFile)"])
            return false
        case .leftInInbox(let why):
            logger.warning("file not claimed", metadata: ["file": "\(file.relativePath)", "why": "\(why)"])
            return false
        }
    }
}
