import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct InboxFileNameTests {
    /// Creates a file whose name is `bytes` exactly (which need not be UTF-8) in `folder`.
    static func createFile(named bytes: [UInt8], in folder: String) {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + bytes + [0]
        let descriptor = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
        }
        #expect(descriptor >= 0)
        _ = write(descriptor, "x\n", 2)
        close(descriptor)
    }

    /// A name that is not UTF-8 (a Latin-1 `é` from an old file server) cannot be named as a
    /// Swift path; it used to be skipped silently forever. It is renamed with its bytes as `%XX`
    /// and refused as `unknown-file`, so it reaches quarantine and the report.
    @Test func aNameThatIsNotUTF8IsRenamedAndRefused() throws {
        let inbox = TestScratch.root.appendingPathComponent("scanner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: inbox.appendingPathComponent("sub\u{E9}"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: inbox) }
        Self.createFile(named: Array("caf".utf8) + [0xE9] + Array(".categories.csv".utf8), in: inbox.path)
        Self.createFile(named: [0xFF, 0xFE] + Array(".txt".utf8), in: inbox.path + "/sub\u{E9}")
        Self.createFile(named: Array("ok-\u{E9}.categories.csv".utf8), in: inbox.path)

        let scan = try InboxScanner(settleTime: 0, incompleteBundleWait: 0).scan(inbox: inbox, now: Date().addingTimeInterval(10))
        #expect(scan.categoryExports.map(\.relativePath) == ["ok-\u{E9}.categories.csv"])
        #expect(scan.rejected.map(\.file.relativePath) == ["caf%E9.categories.csv", "sub\u{E9}/%FF%FE.txt"])
        #expect(scan.rejected.allSatisfy { $0.code == .unknownFile && $0.message.contains("not UTF-8") })
        for rejection in scan.rejected {
            #expect(FileManager.default.fileExists(atPath: inbox.path + "/" + rejection.file.relativePath))
        }
    }
}
