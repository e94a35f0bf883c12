import FakeCanvas
import Foundation
import PassbackCanvasHTTP

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// A fake Canvas and a temporary workspace, with the real HTTP transport between them and waits
/// made short by configuration: what every fetch test starts from. Call ``finish()`` at the end
/// (it stops the server, shuts the client down and removes the workspace).
final class FetchHarness: @unchecked Sendable {
    static let token = "7~fetchTestTokenQ2x9ZpL4"

    let server: FakeCanvas
    let root: URL
    let workspace: Workspace
    /// The real HTTP transport, which stamps when each request leaves (``sends(to:)``).
    let transport = StampingTransport(AsyncHTTPCanvasTransport())
    var tuning: FetchTuning
    private let lock = NSLock()
    private var lines: [String] = []

    init(_ options: FakeCanvas.Options, settings: String = "settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n") async throws {
        server = try await FakeCanvas.start(options)
        root = TestScratch.root.appendingPathComponent("fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        _ = try WorkspaceInitializer(root: root, group: .none).initialize()
        try Data(settings.utf8).write(to: root.appendingPathComponent("passback.toml"))
        workspace = Workspace(root: root)
        tuning = FetchTuning()
        // Generous: a test that counts requests must not see a retry because the in-process
        // server was starved on a loaded machine (30 s was passed at a load of 13). The timeout
        // test sets its own.
        tuning.requestTimeout = .seconds(120)
        tuning.retry.baseDelay = .milliseconds(40)
        tuning.retry.maximumDelay = .milliseconds(200)
        tuning.rateLimit.refillPerSecond = 20_000
    }

    /// Options for `count` generated courses (ids 10000...), small ones, with `perPage` elements a
    /// page at most.
    static func options(courses count: Int, perPage: Int = 100, students: Int = 6, assignments: Int = 5) -> FakeCanvas.Options {
        var options = FakeCanvas.Options(token: token, courseIDs: Array(10_000..<(10_000 + count)))
        options.maximumPerPage = perPage
        options.generatedStudents = students
        options.generatedAssignments = assignments
        return options
    }

    func finish() async {
        try? await transport.http.shutdown()
        await server.stop()
        try? FileManager.default.removeItem(at: root)
    }

    var progressLines: [String] { lock.withLock { lines } }

    func fetch(_ arguments: FetchArguments, environment: [String: String] = [:]) async throws -> FetchSummary {
        var arguments = arguments
        if arguments.canvasURL == nil { arguments.canvasURL = server.baseURL }
        var environment = environment
        if arguments.tokenFile == nil, environment["CANVAS_API_TOKEN"] == nil { environment["CANVAS_API_TOKEN"] = Self.token }
        let fetch = try CanvasFetch(
            workspace: workspace, settings: try Settings.load(root: root), arguments: arguments, environment: environment,
            transport: transport, tuning: tuning, progress: { [self] line in lock.withLock { lines.append(line) } }
        )
        return try await fetch.run()
    }

    func fetchTerm() async throws -> FetchSummary {
        try await fetch(FetchArguments(account: "1", term: "2026-S1"))
    }

    /// Names in the inbox.
    func inbox() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path).sorted()
    }

    func inboxFile(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("inbox").appendingPathComponent(name)))
    }

    /// Every file below the workspace, as paths relative to it.
    func allFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// The records of requests to `path` (any query).
    func requests(to path: String) -> [FakeCanvas.Record] {
        server.records.filter { $0.path == path }
    }

    /// When each request to `path` (any query) left the client, by the client's clock: spacing
    /// measured here is what the client waited, while the server's arrival stamps add the
    /// scheduler's delay on a loaded machine.
    func sends(to path: String) -> [(target: String, sent: ContinuousClock.Instant)] {
        transport.sent.filter { URLComponents(string: $0.url)?.path == path }.map {
            (URLComponents(string: $0.url).map { $0.path + ($0.percentEncodedQuery.map { "?" + $0 } ?? "") } ?? $0.url, $0.sent)
        }
    }

    /// The bundle JSON the fetch should have written for `course`, from the bodies the server
    /// sent: each member the concatenation of its pages' elements, bytes as sent.
    func expectedBundle(course id: Int) -> [UInt8] {
        let records = server.records.filter { $0.fault == nil }
        func bodies(_ path: String) -> [[UInt8]] {
            var seen: Set<String> = []
            return records.filter { $0.path == path && seen.insert($0.target).inserted }.compactMap { server.sentBody($0.target) }
        }
        func inner(_ page: [UInt8]) -> ArraySlice<UInt8> { page.dropFirst().dropLast() }
        var out = Array("{\"course\":".utf8) + (bodies("/api/v1/courses/\(id)").first ?? [])
        for (member, path) in [("sections", "sections"), ("assignment_groups", "assignment_groups"), ("submissions", "students/submissions"), ("enrollments", "enrollments")] {
            out += Array(",\n\"\(member)\":[".utf8)
            out += bodies("/api/v1/courses/\(id)/\(path)").map(inner).filter { !$0.isEmpty }.joined(separator: [UInt8(ascii: ",")])
            out += Array("]".utf8)
        }
        return out + Array("}\n".utf8)
    }
}

/// Writes `text` to a new file with `mode`.
func writeFile(_ path: String, _ text: String, mode: mode_t) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    guard chmod(path, mode) == 0 else { throw CocoaError(.fileWriteNoPermission) }
}

/// A ``CanvasTransport`` that notes when each request leaves, then sends it over `http`.
final class StampingTransport: CanvasTransport, @unchecked Sendable {
    let http: AsyncHTTPCanvasTransport
    private let lock = NSLock()
    private var stamps: [(url: String, sent: ContinuousClock.Instant)] = []

    init(_ http: AsyncHTTPCanvasTransport) { self.http = http }

    var sent: [(url: String, sent: ContinuousClock.Instant)] { lock.withLock { stamps } }

    func send(_ request: CanvasHTTPRequest) async throws -> CanvasHTTPResponse {
        lock.withLock { stamps.append((request.url, .now)) }
        return try await http.send(request)
    }
}
