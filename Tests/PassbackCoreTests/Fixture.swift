import Foundation

/// Test inputs under `Tests/PassbackCoreTests/Fixtures/`, copied into the test bundle as is.
enum Fixture {
    static func url(_ relativePath: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    static func path(_ relativePath: String) -> String {
        url(relativePath).path
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }
}
