import FakeCanvas
import Foundation
import PassbackCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `passback fetch` binary as an operator runs it: exit statuses, one-line reasons, the
/// `[canvas]` settings, and the token kept out of everything it prints or writes.
@Suite struct FetchCommandTests {
    static var binary: URL {
        let bundle = Bundle.main.bundleURL
        let products = bundle.lastPathComponent.hasSuffix(".xctest") ? bundle.deletingLastPathComponent() : bundle
        return products.appendingPathComponent("passback")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary to its end. The wait happens on a thread of its own: the fake Canvas
    /// answers on Swift's concurrency pool (two threads on two cores), which a test blocked in
    /// `waitUntilExit` would starve.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment) })
            }
        }
    }

    static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CANVAS_API_TOKEN")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A server, a workspace folder and a token file (0600) beside it.
    func setUp(courses: Int = 2, configure: (inout FakeCanvas.Options) -> Void = { _ in }) async throws -> (FakeCanvas, URL, String) {
        var options = FetchHarness.options(courses: courses)
        configure(&options)
        let server = try await FakeCanvas.start(options)
        let folder = TestScratch.root.appendingPathComponent("fetch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // `folder/root` is the workspace, made as every workspace is (`passback init`).
        _ = try WorkspaceInitializer(root: folder.appendingPathComponent("root"), group: .none).initialize()
        let tokenFile = folder.appendingPathComponent("canvas.token").path
        try writeFile(tokenFile, FetchHarness.token + "\n", mode: 0o600)
        return (server, folder, tokenFile)
    }

    @Test func aTermIsFetchedAndTheTokenIsNowhereButInItsHeader() async throws {
        let (server, folder, tokenFile) = try await setUp(courses: 3)
        let root = folder.appendingPathComponent("root")
        let result = try await Self.run(["fetch", "--root", root.path, "--canvas-url", server.baseURL, "--account", "1", "--term", "2026-S1", "--token-file", tokenFile])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("fetch: 3 course(s) written to the inbox"))
        #expect(result.stderr.contains("[3/3]"))
        // The token: not printed, not written into the workspace, sent only as the header.
        #expect(!result.stdout.contains(FetchHarness.token) && !result.stderr.contains(FetchHarness.token))
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        var files = 0
        while let path = enumerator.nextObject() as? String {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files += 1
            let bytes = try Data(contentsOf: url)
            #expect(bytes.range(of: Data(FetchHarness.token.utf8)) == nil, "the token is in \(path)")
        }
        #expect(files >= 6)
        #expect(
            server.records.allSatisfy { record in
                record.headers.contains { $0.name.lowercased() == "authorization" && $0.value == "Bearer " + FetchHarness.token }
            })
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func theCanvasTableOfTheSettingsIsEnough() async throws {
        let (server, folder, tokenFile) = try await setUp(courses: 1)
        let root = folder.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: tokenFile, toPath: root.appendingPathComponent("canvas.token").path)
        try Data(
            """
            [canvas]
            url = "\(server.baseURL)"
            account = "1"
            term = "2026-S1"
            token_file = "canvas.token"

            """.utf8
        ).write(to: root.appendingPathComponent("passback.toml"))
        let result = try await Self.run(["fetch", "--root", root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("inbox/canvas-10000.gradebook.csv").path))
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func startProblemsExitTwoWithOneLine() async throws {
        let (server, folder, tokenFile) = try await setUp()
        let root = folder.appendingPathComponent("root").path
        let loose = folder.appendingPathComponent("loose.token").path
        try writeFile(loose, FetchHarness.token, mode: 0o644)
        let cases: [([String], [String: String], String)] = [
            (["--canvas-url", server.baseURL, "--course", "10000", "--token-file", loose], [:], "chmod 600"),
            (["--canvas-url", "http://canvas.example.edu", "--course", "10000", "--token-file", tokenFile], [:], "plain http"),
            (["--canvas-url", server.baseURL, "--course", "10000"], [:], "no Canvas token"),
            (["--course", "10000", "--token-file", tokenFile], [:], "no Canvas address"),
            (["--canvas-url", server.baseURL, "--token-file", tokenFile], [:], "say which courses"),
            (["--canvas-url", server.baseURL, "--course", "10000"], ["CANVAS_API_TOKEN": "wrong-token"], "refused the token"),
            (["--canvas-url", server.baseURL, "--account", "1", "--term", "1999-X", "--token-file", tokenFile], [:], "no account 1 with a term"),
        ]
        for (arguments, environment, reason) in cases {
            let result = try await Self.run(["fetch", "--root", root] + arguments, environment: environment)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.last?.contains(reason) == true, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains(FetchHarness.token))
        }
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func coursesThatCannotBeReadExitOneEachNamed() async throws {
        let (server, folder, tokenFile) = try await setUp(courses: 2) { $0.forbiddenCourses = [10_001] }
        let root = folder.appendingPathComponent("root")
        let result = try await Self.run([
            "fetch", "--root", root.path, "--canvas-url", server.baseURL, "--token-file", tokenFile, "--course", "10000", "--course", "10001", "--course", "31337",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("course 10001: not written"))
        #expect(result.stderr.contains("course 31337: not written"))
        #expect(result.stderr.split(separator: "\n").last?.hasPrefix("passback: 2 course(s) could not be read") == true)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path).sorted() == ["canvas-10000.canvas.json", "canvas-10000.gradebook.csv"])
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func anEmptyTermExitsOne() async throws {
        let (server, folder, tokenFile) = try await setUp(courses: 0)
        let result = try await Self.run([
            "fetch", "--root", folder.appendingPathComponent("root").path, "--canvas-url", server.baseURL, "--token-file", tokenFile, "--account", "1", "--term", "2026-S1",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no published course in term 2026-S1"))
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aWatchWithACanvasTableButNoTokenDoesNotStart() async throws {
        let folder = TestScratch.root.appendingPathComponent("fetch-watch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try WorkspaceInitializer(root: folder, group: .none).initialize()
        try Data("[canvas]\nurl = \"https://school.instructure.com\"\naccount = \"1\"\nterm = \"2026-S1\"\n".utf8)
            .write(to: folder.appendingPathComponent("passback.toml"))
        let result = try await Self.run(["watch", "--root", folder.path, "--daily-at", "02:00"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no Canvas token"))
    }
}
