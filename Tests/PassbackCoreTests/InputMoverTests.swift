import Foundation
import Testing

@testable import PassbackCore

@Suite struct InputMoverTests {
    func workspace() throws -> Workspace {
        let root = TestScratch.root.appendingPathComponent("mover-\(UUID().uuidString)")
        return try Workspace.made(at: root)
    }

    /// A file name may have 255 bytes; `<name>.reason.txt` must still be writable beside it.
    @Test(arguments: [240, 241, 250, 255])
    func aLongNameStillGetsItsReason(length: Int) throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        // Multi-byte characters, so that a cut in the middle of one would show.
        let suffix = ".gradebook.csv"
        var stem = ""
        while stem.utf8.count + suffix.utf8.count + 2 <= length { stem += "é" }
        while stem.utf8.count + suffix.utf8.count < length { stem += "x" }
        let name = stem + suffix
        #expect(name.utf8.count == length)
        let inboxPath = workspace.inbox.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: inboxPath, contents: Data("x".utf8)))
        let file = InboxFile(relativePath: name, size: 1, modified: Date())
        let mover = InputMover(workspace: workspace, runID: "R1")
        try mover.quarantine(file, code: .malformedFile, message: "Broken.", line: 3, claimed: false)

        let folder = workspace.quarantine.appendingPathComponent("R1").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count == 2)
        #expect(names.contains(name))
        let reasonName = try #require(names.first { $0 != name })
        #expect(reasonName.hasSuffix(".reason.txt"))
        #expect(reasonName.utf8.count <= 251)
        let reason = try String(contentsOfFile: folder + "/" + reasonName, encoding: .utf8)
        #expect(reason.hasPrefix("malformed-file (line 3): Broken.\n"))
        if reasonName == name + ".reason.txt" {
            #expect(length <= 240)
        } else {
            #expect(length > 240)
            #expect(reason.hasSuffix("File: \(name)\n"))
        }
    }

    /// Claims `names` (with their inbox subfolders) into run R1's work folder.
    func claim(_ names: [String], in workspace: Workspace, mover: InputMover) throws -> [InboxFile] {
        try names.map { name in
            let path = workspace.inbox.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(name.utf8)))
            let file = InboxFile(relativePath: name, size: Int64(name.utf8.count), modified: Date())
            #expect(try mover.claim(file) == .claimed)
            return file
        }
    }

    func files(under folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// The run's end archives its work folder whole: same inbox paths under
    /// `archive/<date>/<run id>/`, no temporary XML, no folders emptied by quarantine.
    @Test func theWorkFolderIsArchivedWhole() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let mover = InputMover(workspace: workspace, runID: "R1")
        let claimed = try claim(["a.gradebook.csv", "a.canvas.json", "east/b.gradebook.csv", "east/b.canvas.json", "west/c.categories.csv"], in: workspace, mover: mover)
        try mover.quarantine(claimed[4], code: .malformedFile, message: "Broken.", line: nil, claimed: true)
        try FileManager.default.createDirectory(at: mover.outputFolder, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: mover.outputFolder.appendingPathComponent("x.xml.tmp").path, contents: Data("<".utf8)))

        try mover.archiveWorkFolder(date: LocalDate(year: 2025, month: 10, day: 1))

        let archived = workspace.archive.appendingPathComponent("2025-10-01/R1").path
        #expect(files(under: archived) == ["a.canvas.json", "a.gradebook.csv", "east/b.canvas.json", "east/b.gradebook.csv"])
        #expect(try String(contentsOfFile: archived + "/east/b.canvas.json", encoding: .utf8) == "east/b.canvas.json")
        #expect(!FileManager.default.fileExists(atPath: archived + "/west"))
        #expect(!FileManager.default.fileExists(atPath: archived + "/.out"))
        #expect(!FileManager.default.fileExists(atPath: mover.workFolder.path))
        var info = stat()
        #expect(stat(archived, &info) == 0 && info.st_mode & 0o777 == 0o700)
        // Nothing left: a second call (a run finished again after a crash) does nothing.
        try mover.archiveWorkFolder(date: LocalDate(year: 2025, month: 10, day: 1))
        #expect(files(under: archived).count == 4)
    }

    /// When `archive/<date>/<run id>/` exists already, the files join it one by one.
    @Test func filesJoinAnArchiveFolderThatExists() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let mover = InputMover(workspace: workspace, runID: "R1")
        let archived = workspace.archive.appendingPathComponent("2025-10-01/R1").path
        try FileManager.default.createDirectory(atPath: archived + "/east", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: archived + "/east/old.gradebook.csv", contents: Data("old".utf8)))
        _ = try claim(["a.gradebook.csv", "east/b.canvas.json"], in: workspace, mover: mover)

        try mover.archiveWorkFolder(date: LocalDate(year: 2025, month: 10, day: 1))

        #expect(files(under: archived) == ["a.gradebook.csv", "east/b.canvas.json", "east/old.gradebook.csv"])
        #expect(!FileManager.default.fileExists(atPath: mover.workFolder.path))
    }

    /// A run whose inputs all went to quarantine archives nothing (no empty dated folder).
    @Test func anEmptyWorkFolderArchivesNothing() throws {
        let workspace = try workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let mover = InputMover(workspace: workspace, runID: "R1")
        let claimed = try claim(["sub/a.gradebook.csv"], in: workspace, mover: mover)
        try mover.quarantine(claimed[0], code: .malformedFile, message: "Broken.", line: nil, claimed: true)

        try mover.archiveWorkFolder(date: LocalDate(year: 2025, month: 10, day: 1))

        #expect(!FileManager.default.fileExists(atPath: workspace.archive.appendingPathComponent("2025-10-01").path))
        #expect(!FileManager.default.fileExists(atPath: mover.workFolder.path))
    }
}
