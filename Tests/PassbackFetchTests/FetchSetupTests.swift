import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// What `passback fetch` refuses before it sends anything: the token's file, the address, the
/// settings (spec section 8), and the pieces that decide where a token may go.
@Suite struct FetchSetupTests {
    func folder() throws -> URL {
        let url = TestScratch.root.appendingPathComponent("fetch-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("token").path
        try writeFile(path, "secret-token\n", mode: 0o644)
        #expect { try CanvasToken.read(file: path, source: "--token-file") } throws: { error in
            "\(error)".contains("mode 644") && "\(error)".contains("chmod 600")
        }
        for mode: mode_t in [0o640, 0o604, 0o660] {
            chmod(path, mode)
            #expect(throws: SettingsError.self) { try CanvasToken.read(file: path, source: "--token-file") }
        }
        for mode: mode_t in [0o600, 0o400] {
            chmod(path, mode)
            let token = try CanvasToken.read(file: path, source: "--token-file")
            #expect(token.authorization == "Bearer secret-token")
            #expect("\(token)" == "<token>")
            #expect(String(reflecting: token) == "<token>")
        }
    }

    @Test func surroundingWhiteSpaceIsNotPartOfTheToken() throws {
        #expect(try CanvasToken(text: "  7~abc\r\n", source: "s").authorization == "Bearer 7~abc")
        #expect(throws: SettingsError.self) { try CanvasToken(text: " \n ", source: "s") }
        // A second line would add header lines to every request.
        #expect(throws: SettingsError.self) { try CanvasToken(text: "7~abc\nX-Evil: 1", source: "s") }
        #expect(throws: SettingsError.self) { try CanvasToken(text: "7~a bc", source: "s") }
    }

    @Test func theAddressMustBeHTTPSUnlessItIsLoopback() throws {
        #expect(try CanvasEndpoint("https://school.instructure.com").base == "https://school.instructure.com")
        #expect(try CanvasEndpoint("https://school.instructure.com/").base == "https://school.instructure.com")
        #expect(try CanvasEndpoint("http://127.0.0.1:8080").base == "http://127.0.0.1:8080")
        #expect(try CanvasEndpoint("http://localhost:9").port == 9)
        #expect(try CanvasEndpoint("http://[::1]:8080").host == "::1")
        #expect { try CanvasEndpoint("http://canvas.example.edu") } throws: { "\($0)".contains("plain http") }
        #expect(throws: SettingsError.self) { try CanvasEndpoint("http://10.0.0.5") }
        #expect(throws: SettingsError.self) { try CanvasEndpoint("http://127.0.0.1.evil.com") }
        #expect(throws: SettingsError.self) { try CanvasEndpoint("ftp://school.instructure.com") }
        #expect(throws: SettingsError.self) { try CanvasEndpoint("https://user:pw@school.instructure.com") }
        #expect(throws: SettingsError.self) { try CanvasEndpoint("school.instructure.com") }
    }

    @Test func theTokenGoesOnlyToTheCanvasHost() throws {
        let endpoint = try CanvasEndpoint("https://school.instructure.com")
        #expect(endpoint.allows("https://school.instructure.com/api/v1/courses/1/sections?page=2&per_page=100"))
        #expect(endpoint.allows("https://SCHOOL.instructure.com:443/api/v1/courses/1/sections?page=bookmark:WzEwMF0"))
        #expect(!endpoint.allows("http://school.instructure.com/api/v1/courses/1/sections?page=2"))
        #expect(!endpoint.allows("https://school.instructure.com.evil.org/api/v1/courses/1/sections"))
        #expect(!endpoint.allows("https://school.instructure.com:8443/api/v1/courses/1/sections"))
        #expect(!endpoint.allows("https://evil.org/api/v1/courses/1/sections"))
        #expect(!endpoint.allows("https://x@school.instructure.com/api/v1/courses"))
        #expect(!endpoint.allows("https://school.instructure.com/login?next=/api/v1/"))
        #expect(!endpoint.allows("//evil.org/api/v1/courses"))
    }

    @Test func coursesAndAccountsAreOnePathComponent() throws {
        #expect(CanvasEndpoint.coursePathComponent(try CourseReference("4242")) == "4242")
        #expect(CanvasEndpoint.coursePathComponent(try CourseReference("sis_course_id:MATH-101")) == "sis_course_id:MATH-101")
        #expect(CanvasEndpoint.coursePathComponent(try CourseReference("sis_course_id:A.1/2")) == "hex:sis_course_id:412e312f32")
        #expect(throws: SettingsError.self) { try CourseReference("math") }
        #expect(try FetchPlan.account("sis_account_id:DISTRICT 7") == "hex:sis_account_id:44495354524943542037")
        #expect(try FetchPlan.account("sis_account_id:D-7") == "sis_account_id:D-7")
        #expect(try FetchPlan.account("1") == "1")
        #expect(throws: SettingsError.self) { try FetchPlan.account("one") }
        #expect(try FetchPlan.term("sis_term_id:2026-S1") == "2026-S1")
        let endpoint = try CanvasEndpoint("https://school.instructure.com")
        #expect(endpoint.url("courses/1", [("include[]", "term"), ("per_page", "100")]) == "https://school.instructure.com/api/v1/courses/1?include%5B%5D=term&per_page=100")
    }

    @Test func linkHeadersGiveTheNextPageAsCanvasWroteIt() throws {
        let canvas =
            "<https://s.instructure.com/api/v1/courses/1/students/submissions?student_ids%5B%5D=all&page=bookmark:WzEwMF0&per_page=100>; rel=\"current\",<https://s.instructure.com/api/v1/courses/1/students/submissions?student_ids%5B%5D=all&page=bookmark:WzIwMF0&per_page=100>; rel=\"next\",<https://s.instructure.com/api/v1/courses/1/students/submissions?student_ids%5B%5D=all&page=first&per_page=100>; rel=\"first\""
        #expect(try LinkHeader.next(in: [canvas]) == "https://s.instructure.com/api/v1/courses/1/students/submissions?student_ids%5B%5D=all&page=bookmark:WzIwMF0&per_page=100")
        #expect(try LinkHeader.next(in: ["<https://a/x?page=1>; rel=\"current\", <https://a/x?page=1>; rel=\"first\""]) == nil)
        #expect(try LinkHeader.next(in: []) == nil)
        #expect(try LinkHeader.next(in: ["<https://a/x?page=3>; rel=\"prev\"", "<https://a/x?page=5>; REL=\"Next Last\""]) == "https://a/x?page=5")
        #expect(try LinkHeader.next(in: ["<https://a/x?a=1,2>;rel=next"]) == "https://a/x?a=1,2")
        #expect(throws: LinkHeader.Unreadable.self) { try LinkHeader.next(in: ["https://a/x?page=2; rel=\"next\""]) }
    }

    @Test func retriesBackOffWithJitterAndHonourRetryAfter() {
        var policy = RetryPolicy()
        policy.baseDelay = .seconds(1)
        policy.maximumDelay = .seconds(8)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let second = policy.delay(beforeTry: 2, retryAfter: nil, random: &random)
            #expect(second >= .milliseconds(500) && second <= .seconds(1))
            let fourth = policy.delay(beforeTry: 4, retryAfter: nil, random: &random)
            #expect(fourth >= .seconds(2) && fourth <= .seconds(4))
            let tenth = policy.delay(beforeTry: 10, retryAfter: nil, random: &random)
            #expect(tenth >= .seconds(4) && tenth <= .seconds(8))
            #expect(policy.delay(beforeTry: 2, retryAfter: .seconds(30), random: &random) == .seconds(30))
            #expect(policy.delay(beforeTry: 2, retryAfter: .seconds(3600), random: &random) == .seconds(300))
        }
        #expect(RetryPolicy.retryAfter("7") == .seconds(7))
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: ISOTimestamp.parse("2015-10-21T07:28:00Z")!) == .seconds(30))
        #expect(RetryPolicy.retryAfter("soon") == nil)
        #expect(RetryPolicy.retryAfter("-1") == nil)
    }

    @Test func theGateLetsFourThroughAndOneWhenTheQuotaIsLow() async {
        let gate = RequestGate(policy: RequestGate.Policy())
        for _ in 0..<4 { _ = await gate.enter() }
        let fifth = Task { await gate.enter() }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await gate.highestInFlight == 4)
        await gate.leave(remaining: 599)
        _ = await fifth.value
        #expect(await gate.highestInFlight == 4)
        // A low quota: one at a time, and a wait for the bucket to drain.
        for _ in 0..<4 { await gate.leave(remaining: 40) }
        let pause = await gate.enter()
        #expect(pause == .seconds(6))  // (100 - 40) / 10 per second
        let second = Task { await gate.enter() }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await gate.highestInFlight == 4)
        await gate.leave(remaining: 250)
        #expect(await second.value == .zero)
        #expect(RequestGate.quota("599.3") == 599.3)
        #expect(RequestGate.quota("nan") == nil)
        #expect(RequestGate.quota(nil) == nil)
    }

    @Test func theCanvasTableIsReadStrictly() throws {
        let settings = try Settings.parse(
            """
            settle_seconds = 0
            [canvas]
            url = "https://school.instructure.com"
            account = 1
            term = "2026-S1"
            token_file = "canvas.token"
            """)
        #expect(settings.canvas == CanvasSettings(url: "https://school.instructure.com", account: "1", term: "2026-S1", tokenFile: "canvas.token"))
        #expect { try Settings.parse("[canvas]\ntoken = \"abc\"\n") } throws: { "\($0)".contains("unknown setting 'canvas.token'") }
        #expect(throws: SettingsError.self) { try Settings.parse("[canvas]\nurl = 5\n") }
        #expect(throws: SettingsError.self) { try Settings.parse("canvas = \"https://x\"\n") }
        #expect(try Settings.parse("").canvas == nil)
    }

    @Test func theCommandLineComesFirstThenTheEnvironmentThenTheSettings() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(dir.appendingPathComponent("canvas.token").path, "from-settings\n", mode: 0o600)
        try writeFile(dir.appendingPathComponent("cli.token").path, "from-cli", mode: 0o600)
        var settings = Settings()
        settings.canvas = CanvasSettings(url: "https://school.instructure.com", account: "1", term: "2026-S1", tokenFile: "canvas.token")
        let fromSettings = try FetchPlan.resolve(FetchArguments(), settings: settings, root: dir, environment: [:])
        #expect(fromSettings.token.authorization == "Bearer from-settings")
        #expect(fromSettings.selection == .term(account: "1", term: "2026-S1"))
        let fromEnvironment = try FetchPlan.resolve(FetchArguments(), settings: settings, root: dir, environment: ["CANVAS_API_TOKEN": "from-env\n"])
        #expect(fromEnvironment.token.authorization == "Bearer from-env")
        let fromCLI = try FetchPlan.resolve(
            FetchArguments(canvasURL: "https://other.instructure.com", courses: ["7", "7", "sis_course_id:X"], tokenFile: dir.appendingPathComponent("cli.token").path),
            settings: settings, root: dir, environment: ["CANVAS_API_TOKEN": "from-env"]
        )
        #expect(fromCLI.token.authorization == "Bearer from-cli")
        #expect(fromCLI.endpoint.host == "other.instructure.com")
        #expect(fromCLI.selection == .courses([.canvasID("7"), .sisCourseID("X")]))
        #expect { try FetchPlan.resolve(FetchArguments(), settings: Settings(), root: dir, environment: [:]) } throws: { "\($0)".contains("--canvas-url") }
        #expect { try FetchPlan.resolve(FetchArguments(canvasURL: "https://a.b"), settings: Settings(), root: dir, environment: [:]) } throws: {
            "\($0)".contains("say which courses")
        }
        #expect { try FetchPlan.resolve(FetchArguments(canvasURL: "https://a.b", courses: ["1"]), settings: Settings(), root: dir, environment: [:]) } throws: {
            "\($0)".contains("no Canvas token")
        }
        #expect(throws: SettingsError.self) {
            try FetchPlan.resolve(FetchArguments(canvasURL: "https://a.b", courses: ["1"], account: "1"), settings: Settings(), root: dir, environment: ["CANVAS_API_TOKEN": "t"])
        }
        #expect(throws: SettingsError.self) {
            try FetchPlan.resolve(FetchArguments(canvasURL: "https://a.b", term: "T"), settings: Settings(), root: dir, environment: ["CANVAS_API_TOKEN": "t"])
        }
    }

    @Test func numbersAreWrittenAsCanvasDoesWithTwoDecimals() {
        #expect(GradebookExport.twoDecimals(9) == "9.00")
        #expect(GradebookExport.twoDecimals(9.5) == "9.50")
        #expect(GradebookExport.twoDecimals(7.125) == "7.13")
        #expect(GradebookExport.twoDecimals(7.124999) == "7.12")
        #expect(GradebookExport.twoDecimals(0.005) == "0.01")
        #expect(GradebookExport.twoDecimals(1.0 / 3.0) == "0.33")
        #expect(GradebookExport.twoDecimals(20.0 / 3.0) == "6.67")
        #expect(GradebookExport.twoDecimals(-2.5) == "-2.50")
        #expect(GradebookExport.twoDecimals(0) == "0.00")
        #expect(GradebookExport.twoDecimals(100) == "100.00")
        #expect(GradebookExport.twoDecimals(.nan) == nil)
        #expect(GradebookExport.toSentence([]) == "")
        #expect(GradebookExport.toSentence(["A"]) == "A")
        #expect(GradebookExport.toSentence(["A", "B"]) == "A and B")
        #expect(GradebookExport.toSentence(["A", "B", "C"]) == "A, B, and C")
    }
}
