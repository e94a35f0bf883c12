import Foundation
import Testing

@testable import PassbackCore

/// The SHA-256 that keys duplicate bundles, against the FIPS 180-2 examples: a digest that drifted
/// (a changed library, a chunking mistake) would make every re-dropped bundle look new.
@Suite struct ContentDigestTests {
    @Test func theStandardsExamples() throws {
        #expect(try ContentDigest.sha256(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try ContentDigest.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks (448 bits of message: the padding needs a second block).
        #expect(
            try ContentDigest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func aFileIsReadInPiecesAndDigestedWhole() throws {
        let folder = TestScratch.root.appendingPathComponent("digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // One million 'a': fifteen and a bit of the reader's 64 KiB pieces.
        let file = folder.appendingPathComponent("million.csv")
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: file)
        #expect(try ContentDigest.sha256(fileAt: file.path) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let empty = folder.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        #expect(try ContentDigest.sha256(fileAt: empty.path) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // A link is not followed.
        let link = folder.appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        #expect(throws: FileSystemError.self) { try ContentDigest.sha256(fileAt: link.path) }
    }
}
