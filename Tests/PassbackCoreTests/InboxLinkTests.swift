import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Links in the group-writable inbox (issue 12, item 1; spec section 1, v2: "nothing the project
/// does follows a symbolic link or changes the mode of a file it did not create").
///
/// Each test makes a way in that a registrar has, runs the real intake and pipeline, and checks
/// that what the link points to is exactly as it was: same place, same mode, same bytes, and that
/// the link itself (never its target) was quarantined with its reason. Version 1 called `chmod`
/// on the quarantined path: as root, a link to `/etc/passwd` left `/etc/passwd` at 0600.
@Suite struct InboxLinkTests {
    /// A workspace beside an "outside" folder that stands for the rest of the machine.
    final class Place {
        let base: URL
        let workspace: Workspace
        let outside: String
        var settings: Settings

        init() throws {
            base = TestScratch.root.appendingPathComponent("links-\(UUID().uuidString)")
            workspace = try Workspace.made(at: base.appendingPathComponent("ws"))
            outside = base.appendingPathComponent("outside").path
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            settings = try Settings.parse("settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n")
        }

        deinit { try? FileManager.default.removeItem(at: base) }

        var inbox: String { workspace.inbox.path }

        /// A file outside the workspace with a known mode and content.
        @discardableResult
        func outsideFile(_ name: String, mode: mode_t = 0o644, content: String = "root:x:0:0:root:/root:/bin/bash\n") throws -> String {
            let path = outside + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
            #expect(chmod(path, mode) == 0)
            return path
        }

        func link(_ inboxName: String, to target: String) throws {
            let path = inbox + "/" + inboxName
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(symlink(target, path) == 0)
        }

        func drop(_ inboxName: String, _ content: String) throws {
            let path = inbox + "/" + inboxName
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
        }

        /// One whole run, as the command line runs it.
        @discardableResult
        func run() throws -> RunSummary {
            let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard)
            return try pipeline.run(RunOptions(clock: Make.date("2025-10-01T09:00:00Z"), wallClock: Date()))
        }

        /// A run whose inbox changes between the listing and the claims (`change`): the way a
        /// registrar swaps a link in after the scan looked.
        @discardableResult
        func run(changingTheInboxAfterListing change: () throws -> Void) throws -> RunSummary {
            let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard)
            let ledger = try Ledger(path: workspace.ledgerPath)
            let scan = try InboxScanner(settleTime: 0, incompleteBundleWait: 0).scan(inbox: workspace.inbox, now: Date())
            try change()
            let clock = Make.date("2025-10-01T09:00:00Z")
            let record = Ledger.RunRecord(id: try ledger.makeRunID(now: clock), clock: clock, mode: .incremental)
            try ledger.beginRun(id: record.id, clock: record.clock, mode: record.mode)
            var run = Run(context: RunContext(record: record, pipeline: pipeline, ledger: ledger, calendar: try settings.calendar(), workers: 2))
            try run.claim(scan)
            try run.process()
            return try run.finish()
        }

        /// What the run quarantined, relative to `quarantine/<run id>/`.
        func quarantined(_ summary: RunSummary) -> [String] {
            guard let runID = summary.runID else { return [] }
            let folder = workspace.quarantine.appendingPathComponent(runID).path
            return ((FileManager.default.subpaths(atPath: folder)) ?? []).sorted()
        }

        func reason(_ summary: RunSummary, for name: String) throws -> String {
            try String(contentsOfFile: workspace.quarantine.appendingPathComponent(summary.runID!).path + "/" + name + ".reason.txt", encoding: .utf8)
        }
    }

    struct Snapshot: Equatable {
        var mode: mode_t
        var type: mode_t
        var inode: UInt
        var bytes: Data?

        init(_ path: String) {
            var info = stat()
            #expect(lstat(path, &info) == 0, "\(path) is gone")
            mode = info.st_mode & 0o7777
            type = info.st_mode & S_IFMT
            inode = UInt(info.st_ino)
            bytes = type == S_IFREG ? FileManager.default.contents(atPath: path) : nil
        }
    }

    func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    @Test func aLinkToAFileIsQuarantinedAsALinkAndItsTargetIsUntouched() throws {
        let place = try Place()
        let target = try place.outsideFile("passwd")
        let before = Snapshot(target)
        try place.link("a.categories.csv", to: target)

        let summary = try place.run()

        #expect(Snapshot(target) == before)
        #expect(place.quarantined(summary) == ["a.categories.csv", "a.categories.csv.reason.txt"])
        #expect(isLink(place.workspace.quarantine.path + "/\(summary.runID!)/a.categories.csv"))
        #expect(try place.reason(summary, for: "a.categories.csv").contains("symbolic link"))
    }

    @Test func aLinkToAFolderIsQuarantinedAndNothingInTheFolderIsTouched() throws {
        let place = try Place()
        let inside = try place.outsideFile("dir/x.categories.csv")
        #expect(chmod(place.outside + "/dir", 0o755) == 0)
        let folderBefore = Snapshot(place.outside + "/dir")
        let fileBefore = Snapshot(inside)
        try place.link("sub", to: place.outside + "/dir")

        let summary = try place.run()

        #expect(Snapshot(place.outside + "/dir") == folderBefore)
        #expect(Snapshot(inside) == fileBefore)
        #expect(place.quarantined(summary) == ["sub", "sub.reason.txt"])
        #expect(isLink(place.workspace.quarantine.path + "/\(summary.runID!)/sub"))
    }

    /// A link to the workspace itself made it 0600 in version 1: every later run failed.
    @Test func aLinkToTheWorkspaceLeavesTheWorkspaceUsable() throws {
        let place = try Place()
        let root = place.workspace.root.path
        let before = Snapshot(root)
        try place.link("ws.categories.csv", to: root)
        try place.link("state.gradebook.csv", to: place.workspace.state.path)

        let first = try place.run()
        #expect(Snapshot(root) == before)
        #expect(Snapshot(place.workspace.state.path).mode == 0o700)
        #expect(first.filesRejected == 2)

        // And the workspace still runs.
        try place.drop("c.categories.csv", ScenarioCourse.categories())
        let second = try place.run()
        #expect(second.filesRejected == 0)
        #expect(second.filesClaimed == 1)
    }

    /// A hard link is the other name's file: its mode was changed through the quarantined name.
    @Test func aHardLinkIsRefusedAndTheOtherNamesFileKeepsItsMode() throws {
        let place = try Place()
        let target = try place.outsideFile("shadow", mode: 0o640)
        #expect(link(target, place.inbox + "/h.categories.csv") == 0)

        let summary = try place.run()

        var info = stat()
        #expect(stat(target, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("root:"))
        #expect(place.quarantined(summary) == ["h.categories.csv", "h.categories.csv.reason.txt"])
        #expect(try place.reason(summary, for: "h.categories.csv").contains("hard links"))
    }

    @Test func aLinkInASubfolderIsQuarantinedWhereItWas() throws {
        let place = try Place()
        let target = try place.outsideFile("grades.csv", mode: 0o604)
        let before = Snapshot(target)
        try place.link("east/a.gradebook.csv", to: target)
        try place.drop("east/a.canvas.json", ScenarioCourse().json)

        let summary = try place.run()

        #expect(Snapshot(target) == before)
        #expect(place.quarantined(summary).contains("east/a.gradebook.csv"))
        #expect(isLink(place.workspace.quarantine.path + "/\(summary.runID!)/east/a.gradebook.csv"))
    }

    /// The listing saw a plain file; by the claim it is a link.
    @Test func aFileSwappedForALinkAfterListingIsRefusedAndItsTargetIsUntouched() throws {
        let place = try Place()
        let target = try place.outsideFile("passwd")
        let before = Snapshot(target)
        try place.drop("b.categories.csv", ScenarioCourse.categories())

        let summary = try place.run(changingTheInboxAfterListing: {
            #expect(unlink(place.inbox + "/b.categories.csv") == 0)
            try place.link("b.categories.csv", to: target)
        })

        #expect(Snapshot(target) == before)
        #expect(place.quarantined(summary) == ["b.categories.csv", "b.categories.csv.reason.txt"])
        #expect(isLink(place.workspace.quarantine.path + "/\(summary.runID!)/b.categories.csv"))
    }

    /// The listing saw a plain file; by the claim it is a second name of a file outside.
    @Test func aFileSwappedForAHardLinkAfterListingKeepsTheOtherFilesMode() throws {
        let place = try Place()
        let target = try place.outsideFile("shadow", mode: 0o640)
        try place.drop("b.categories.csv", ScenarioCourse.categories())

        let summary = try place.run(changingTheInboxAfterListing: {
            #expect(unlink(place.inbox + "/b.categories.csv") == 0)
            #expect(link(target, place.inbox + "/b.categories.csv") == 0)
        })

        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_mode & 0o7777 == 0o640)
        #expect(place.quarantined(summary) == ["b.categories.csv", "b.categories.csv.reason.txt"])
    }

    /// The listing saw a subfolder; by the claim it is a link to a folder elsewhere holding a
    /// file of the same name. Version 1's `rename` followed the link and claimed that file.
    @Test func aFolderSwappedForALinkAfterListingIsNotEntered() throws {
        let place = try Place()
        let elsewhere = try place.outsideFile("etc/c.categories.csv")
        let before = Snapshot(elsewhere)
        try place.drop("east/c.categories.csv", ScenarioCourse.categories())

        let summary = try place.run(changingTheInboxAfterListing: {
            try FileManager.default.moveItem(atPath: place.inbox + "/east", toPath: place.base.path + "/moved-east")
            try place.link("east", to: place.outside + "/etc")
        })

        #expect(Snapshot(elsewhere) == before)
        #expect(summary.filesClaimed == 0)
        // Nothing was claimed through the link; the next run finds the link itself and refuses it.
        #expect(isLink(place.inbox + "/east"))
        let next = try place.run()
        #expect(Snapshot(elsewhere) == before)
        #expect(place.quarantined(next) == ["east", "east.reason.txt"])
    }

    /// A category export that is a link into the workspace's own state (the ledger) is refused
    /// without reading or moving what it points to.
    @Test func aLinkToTheLedgerLeavesTheLedgerWhereItIs() throws {
        let place = try Place()
        try place.drop("c.categories.csv", ScenarioCourse.categories())
        try place.run()
        let ledger = place.workspace.ledgerPath
        let before = Snapshot(ledger)
        try place.link("ledger.categories.csv", to: ledger)

        let summary = try place.run()

        #expect(Snapshot(ledger).mode == before.mode)
        #expect(Snapshot(ledger).inode == before.inode)
        #expect(summary.filesRejected == 1)
    }
}
