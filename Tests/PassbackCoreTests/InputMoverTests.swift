import Foundation
import Testing
@testable import PassbackCore

@Suite struct InputMoverTests {
    func workspace() throws -> Workspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mover-\(UUID().uuidString)")
        let workspace = Workspace(root: root)
        try workspace.prepare()
        return workspace
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
}
