import Foundation
import Testing

@testable import PassbackCore

/// The claim protocol (issue 4): settled files only, ignored names never, bundles together,
/// half bundles wait then go to quarantine, anything but a plain file refused. The clock and the
/// modification times are set by the test; nothing sleeps.
@Suite struct InboxScannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func inbox(_ files: [String: TimeInterval]) throws -> URL {
        let url = TestScratch.root.appendingPathComponent("inbox-\(UUID().uuidString)")
        for (name, age) in files {
            let path = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: path)
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: path.path)
        }
        return url
    }

    let scanner = InboxScanner(settleTime: 60, incompleteBundleWait: 24 * 3600)

    @Test func onlySettledFilesAreClaimedAndBundlesGoTogether() throws {
        let url = try inbox([
            "a.gradebook.csv": 120, "a.canvas.json": 120,
            "b.gradebook.csv": 120, "b.canvas.json": 10,  // the JSON is still being written
            "district/x.categories.csv": 3600, "y.categories.xml": 5,
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let scan = try scanner.scan(inbox: url, now: now)
        #expect(scan.bundles.map(\.stem) == ["a"])
        #expect(scan.categoryExports.map(\.relativePath) == ["district/x.categories.csv"])
        #expect(scan.waiting.map(\.relativePath) == ["b.canvas.json", "b.gradebook.csv", "y.categories.xml"])
        #expect(scan.rejected.isEmpty)
    }

    @Test(arguments: [".hidden.gradebook.csv", "~$grades.gradebook.csv", "a.gradebook.csv.tmp", "a.canvas.json.part", "grades.csv.crdownload", "X.TMP"])
    func ignoredNamesAreNeverClaimed(name: String) throws {
        let url = try inbox([name: 99_999])
        defer { try? FileManager.default.removeItem(at: url) }
        let scan = try scanner.scan(inbox: url, now: now)
        #expect(scan.isEmpty)
        #expect(scan.waiting.isEmpty)
    }

    @Test func halfABundleWaitsThenIsRejected() throws {
        let url = try inbox(["young.gradebook.csv": 3600, "old.canvas.json": 25 * 3600])
        defer { try? FileManager.default.removeItem(at: url) }
        let scan = try scanner.scan(inbox: url, now: now)
        #expect(scan.waiting.map(\.relativePath) == ["young.gradebook.csv"])
        #expect(scan.rejected.map(\.file.relativePath) == ["old.canvas.json"])
        #expect(scan.rejected.first?.code == .incompleteBundle)
        #expect(scan.rejected.first?.message.contains("old.gradebook.csv did not arrive within 24 hours") == true)
    }

    @Test func unknownNamesAreRejected() throws {
        let url = try inbox(["grades.xlsx": 120, "notes.txt": 120, ".gradebook.csv": 120])
        defer { try? FileManager.default.removeItem(at: url) }
        let scan = try scanner.scan(inbox: url, now: now)
        #expect(scan.rejected.map(\.file.relativePath) == ["grades.xlsx", "notes.txt"])
        #expect(scan.rejected.allSatisfy { $0.code == .unknownFile })
    }

    @Test func symlinksFIFOsAndHardLinksAreRefused() throws {
        let url = try inbox(["real.gradebook.csv": 120, "real.canvas.json": 120])
        defer { try? FileManager.default.removeItem(at: url) }
        try FileManager.default.createSymbolicLink(atPath: url.appendingPathComponent("link.gradebook.csv").path, withDestinationPath: "/etc/passwd")
        #expect(mkfifo(url.appendingPathComponent("pipe.canvas.json").path, 0o600) == 0)
        #expect(link(url.appendingPathComponent("real.canvas.json").path, url.appendingPathComponent("hard.categories.csv").path) == 0)
        let scan = try scanner.scan(inbox: url, now: Date())
        let reasons = Dictionary(uniqueKeysWithValues: scan.rejected.map { ($0.file.relativePath, $0.message) })
        #expect(reasons["link.gradebook.csv"]?.contains("symbolic link") == true)
        #expect(reasons["pipe.canvas.json"]?.contains("not a regular file") == true)
        #expect(reasons["hard.categories.csv"]?.contains("hard links") == true)
        #expect(reasons["real.canvas.json"]?.contains("hard links") == true, "both names of a hard-linked file are refused")
        #expect(scan.bundles.isEmpty)
    }

    /// Issue 12, item 2: a settled file over the limit is refused unread; one still changing
    /// waits like any other.
    @Test func aSettledFileOverTheLimitIsTooLarge() throws {
        let url = try inbox(["big.gradebook.csv": 120, "big.canvas.json": 120, "fresh.categories.csv": 5])
        defer { try? FileManager.default.removeItem(at: url) }
        let limited = InboxScanner(settleTime: 60, incompleteBundleWait: 24 * 3600, maximumInputBytes: 0)
        let scan = try limited.scan(inbox: url, now: now)
        #expect(scan.rejected.map(\.file.relativePath) == ["big.canvas.json", "big.gradebook.csv"])
        #expect(scan.rejected.allSatisfy { $0.code == .tooLarge && $0.message.contains("more than max_input_bytes (0)") })
        #expect(scan.waiting.map(\.relativePath) == ["fresh.categories.csv"])
        #expect(scan.bundles.isEmpty)
    }

    /// Issue 12, item 6: a file dated in the future settles by the kernel's clock (its status
    /// change), not never; it is named for a warning. Before, it waited forever.
    @Test func aFileDatedInTheFutureSettlesByItsStatusChange() throws {
        let url = try inbox(["ahead.categories.csv": -30 * 86_400])
        defer { try? FileManager.default.removeItem(at: url) }
        let wallClock = Date()
        let waiting = try scanner.scan(inbox: url, now: wallClock)
        #expect(waiting.waiting.map(\.relativePath) == ["ahead.categories.csv"], "just written: it waits")
        #expect(waiting.futureDated.map(\.relativePath) == ["ahead.categories.csv"])
        let later = try scanner.scan(inbox: url, now: wallClock.addingTimeInterval(61))
        #expect(later.categoryExports.map(\.relativePath) == ["ahead.categories.csv"], "unchanged for the settle time: claimed")
        #expect(later.futureDated.count == 1)
    }
}
