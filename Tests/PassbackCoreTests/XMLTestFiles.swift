import Foundation

/// Files for the XML tests: fixtures from the bundle, scratch files in a fresh temporary folder,
/// and the repository's own files.
enum XMLTestFiles {
    static func fixture(_ relativePath: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    static func fixtureText(_ relativePath: String) throws -> String {
        try String(contentsOf: fixture(relativePath), encoding: .utf8)
    }

    /// A new empty folder under the system's temporary folder.
    static func scratchFolder() throws -> URL {
        let folder = TestScratch.root
            .appendingPathComponent("passback-xml-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `text` to a new scratch file and returns its path.
    static func scratchFile(_ text: String, named name: String = "document.xml") throws -> String {
        let url = try scratchFolder().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The repository's root folder, found from this source file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PassbackCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
}
