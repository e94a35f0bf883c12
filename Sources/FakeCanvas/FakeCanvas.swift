import Foundation

/// A fake Canvas REST API on a loopback port, over real HTTP (``LoopbackHTTPServer``, SwiftNIO): the calls
/// `passback fetch` makes, answered the way Canvas answers them.
///
/// - Lists are paginated as canvas-lms's `Api.paginate` does: at most `per_page` elements
///   (capped by ``Options/maximumPerPage``), and a `Link` header with `current`, `next`, `prev`,
///   `first` and `last` as absolute URLs; submissions and enrollments page by opaque bookmarks
///   (`page=bookmark:...`, no `last`), like Canvas's bookmarked collections.
/// - Every answer carries `X-Request-Cost` and `X-Rate-Limit-Remaining`
///   (``Options/rateLimitRemaining``).
/// - A request without the right `Authorization: Bearer` token gets Canvas's `401`; a course the
///   token may not read (``Options/forbiddenCourses``) Canvas's `401 user not authorized`; an
///   unknown course Canvas's `404`.
/// - Faults are scripted per path (``inject(_:path:page:times:)``): the rate-limit `403`, a
///   `429`, a `500`, a reset connection, a slow answer, a `401`, a `404`, a body that is not
///   JSON, a body cut short, a next link to another host.
/// - Every request is recorded (``records``): path, query, headers, when it came, how many
///   requests were in flight when it came.
public final class FakeCanvas: @unchecked Sendable {
    public struct Options: Sendable {
        /// The token a request must carry.
        public var token: String
        public var accountID = "1"
        public var termSISID = "2026-S1"
        /// The account's published courses in the term, in listing order.
        public var courseIDs: [Int]
        /// Courses with hand-made data; any other id of ``courseIDs`` is ``FakeCourse/generated``.
        public var courses: [Int: FakeCourse] = [:]
        /// Students and assignments of generated courses.
        public var generatedStudents = 30
        public var generatedAssignments = 40
        /// Courses this token may not read: `401 user not authorized to perform that action`.
        public var forbiddenCourses: Set<Int> = []
        /// Canvas caps `per_page` (at 100); a lower cap makes more pages.
        public var maximumPerPage = 100
        /// `X-Rate-Limit-Remaining` for the n-th request (0-based).
        public var rateLimitRemaining: @Sendable (Int) -> Double = { _ in 598.6 }

        public init(token: String, courseIDs: [Int]) {
            self.token = token
            self.courseIDs = courseIDs
        }
    }

    /// A scripted misbehaviour.
    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// `403 Forbidden (Rate Limit Exceeded)`, as canvas-lms's `RequestThrottle` answers.
        case rateLimited
        /// `429`, with `Retry-After` seconds when given.
        case tooManyRequests(retryAfter: Int?)
        /// A `5xx` with Canvas's error page.
        case serverError(Int)
        /// `status` with Canvas's error JSON carrying `message` (as a teacher or an admin could
        /// have written part of it).
        case canvasError(status: Int, message: String)
        /// The connection reset (`SO_LINGER` 0, then closed) without an answer.
        case reset
        /// The answer only after this long (the client should have given up).
        case slow(Duration)
        /// `401 Invalid access token.` with `WWW-Authenticate`.
        case invalidToken
        /// `404 The specified resource does not exist.`
        case notFound
        /// `200` with an HTML page.
        case notJSON
        /// `200` whose body stops half-way (the connection closes before `Content-Length`).
        case cutShort
        /// A normal answer whose `next` link points at another host.
        case foreignNextLink

        public var description: String {
            switch self {
            case .rateLimited: return "403 rate limit"
            case .tooManyRequests(let after): return "429" + (after.map { " Retry-After \($0)" } ?? "")
            case .serverError(let code): return "\(code)"
            case .canvasError(let status, _): return "\(status) with a message"
            case .reset: return "reset"
            case .slow(let duration): return "slow \(duration)"
            case .invalidToken: return "401"
            case .notFound: return "404"
            case .notJSON: return "not JSON"
            case .cutShort: return "cut short"
            case .foreignNextLink: return "foreign next link"
            }
        }
    }

    /// One request as the server saw it.
    public struct Record: Sendable {
        /// The path as sent (percent-encoded).
        public var path: String
        /// The query as sent, or `""`.
        public var query: String
        public var headers: [(name: String, value: String)]
        public var arrival: ContinuousClock.Instant
        /// Requests in flight when this one arrived, itself included.
        public var inFlight: Int
        /// The scripted fault it got, if any.
        public var fault: Fault?

        /// `path?query`.
        public var target: String { query.isEmpty ? path : path + "?" + query }
    }

    private struct FaultRule {
        var fault: Fault
        var path: String
        var page: String?
        var remaining: Int
    }

    private let options: Options
    private let lock = NSLock()
    private var faultRules: [FaultRule] = []
    private var recorded: [Record] = []
    private var inFlight = 0
    private var highest = 0
    /// Set by ``stop()``: slow answers end.
    private var stopping = false
    private var requestCount = 0
    private var generated: [Int: FakeCourse] = [:]
    private var sentBodies: [String: [UInt8]] = [:]
    private var keepsBodies = true
    private var http: LoopbackHTTPServer?
    public private(set) var port = 0

    private init(options: Options) {
        self.options = options
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server on a free loopback port.
    public static func start(_ options: Options, port: Int = 0, keepingBodies: Bool = true) async throws -> FakeCanvas {
        let server = FakeCanvas(options: options)
        server.keepsBodies = keepingBodies
        let http = try await LoopbackHTTPServer.start(port: port) { request, connection in
            await server.respond(request, connection)
        }
        server.http = http
        server.port = http.port
        return server
    }

    /// Stops the server: no new connection, the open ones closed once their answer is out.
    public func stop() async {
        // A slow answer whose client has gone may not notice (the server reads nothing while
        // the handler waits, so the hang-up is unseen): it ends when the server stops.
        lock.withLock { stopping = true }
        await http?.stop()
    }

    /// Scripts `fault` for the next `times` requests whose path is `path` (and whose `page`
    /// parameter is `page`, when given).
    public func inject(_ fault: Fault, path: String, page: String? = nil, times: Int = 1) {
        lock.withLock { faultRules.append(FaultRule(fault: fault, path: path, page: page, remaining: times)) }
    }

    /// Every request so far, in order of arrival.
    public var records: [Record] { lock.withLock { recorded } }

    /// The most requests ever in flight at once.
    public var highestInFlight: Int { lock.withLock { highest } }

    /// The body of the last successful answer to `target` (`path?query`), as sent.
    public func sentBody(_ target: String) -> [UInt8]? { lock.withLock { sentBodies[target] } }

    /// The course with `id`, as the server holds it.
    public func course(_ id: Int) -> FakeCourse? {
        lock.withLock { lookUp(id) }
    }

    private func lookUp(_ id: Int) -> FakeCourse? {
        if let course = options.courses[id] { return course }
        guard options.courseIDs.contains(id) else { return nil }
        if let course = generated[id] { return course }
        let course = FakeCourse.generated(id: id, students: options.generatedStudents, assignments: options.generatedAssignments, termSISID: options.termSISID)
        if generated.count >= 64 { generated.removeAll() }
        generated[id] = course
        return course
    }

    // MARK: - Answering

    private struct Answer {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8]
        var contentType = "application/json; charset=utf-8"
    }

    private func respond(_ request: LoopbackHTTPServer.Request, _ connection: LoopbackHTTPServer.Connection) async -> LoopbackHTTPServer.Reply {
        let path = request.path
        let query = request.query
        let parameters = Self.parameters(query)
        let headers = request.headers
        let (fault, number) = lock.withLock { () -> (Fault?, Int) in
            inFlight += 1
            highest = max(highest, inFlight)
            requestCount += 1
            var fault: Fault?
            let page = parameters.last { $0.0 == "page" }?.1
            if let index = faultRules.firstIndex(where: { $0.remaining > 0 && $0.path == path && ($0.page == nil || $0.page == page) }) {
                faultRules[index].remaining -= 1
                fault = faultRules[index].fault
            }
            recorded.append(Record(path: path, query: query, headers: headers, arrival: .now, inFlight: inFlight, fault: fault))
            return (fault, requestCount - 1)
        }
        var left = false
        func leave() {
            guard !left else { return }
            left = true
            lock.withLock { inFlight -= 1 }
        }
        let remaining = options.rateLimitRemaining(number)
        var answer: Answer
        switch fault {
        case .rateLimited?:
            leave()
            return Self.response(
                Answer(
                    status: 403, headers: [("X-Rate-Limit-Remaining", "0.0")], body: Array("403 Forbidden (Rate Limit Exceeded)\n".utf8), contentType: "text/plain; charset=utf-8"))
        case .tooManyRequests(let after)?:
            leave()
            var extra = [("X-Rate-Limit-Remaining", "0.0")]
            if let after { extra.append(("Retry-After", String(after))) }
            return Self.response(Answer(status: 429, headers: extra, body: Array("429 Too Many Requests (Rate Limit Exceeded)\n".utf8), contentType: "text/plain; charset=utf-8"))
        case .canvasError(let status, let message)?:
            leave()
            return Self.response(Answer(status: status, body: FakeJSON.object([("errors", .array([.object([("message", .string(message))])]))]).encoded()))
        case .serverError(let code)?:
            leave()
            return Self.response(
                Answer(status: code, body: Array("{\"errors\":[{\"message\":\"An error occurred.\",\"error_code\":\"internal_server_error\"}],\"error_report_id\":4242}".utf8)))
        case .reset?:
            leave()
            return .reset
        case .slow(let duration)?:
            let deadline = ContinuousClock.now + duration
            while ContinuousClock.now < deadline, connection.isOpen, !lock.withLock({ stopping }) {
                try? await Task.sleep(for: .milliseconds(5))
            }
            if !connection.isOpen || lock.withLock({ stopping }) {
                leave()
                return .reset
            }
        case .invalidToken?:
            leave()
            return Self.unauthenticated(invalid: true)
        case .notFound?:
            leave()
            return Self.response(Answer(status: 404, body: Array("{\"errors\":[{\"message\":\"The specified resource does not exist.\"}]}".utf8)))
        case .notJSON?:
            leave()
            return Self.response(
                Answer(
                    status: 200, body: Array("<!DOCTYPE html>\n<html><head><title>Log In to Canvas</title></head><body>...</body></html>\n".utf8),
                    contentType: "text/html; charset=utf-8"))
        default:
            break
        }
        // The token.
        let authorizations = headers.filter { $0.name.lowercased() == "authorization" }.map(\.value)
        guard authorizations == ["Bearer " + options.token] else {
            leave()
            return Self.unauthenticated(invalid: !authorizations.isEmpty)
        }
        answer = route(path: path, parameters: parameters, foreignNext: fault == .foreignNextLink)
        answer.headers += [("X-Request-Cost", "0.0123"), ("X-Rate-Limit-Remaining", String(format: "%.1f", remaining))]
        if answer.status == 200, keepsBodies {
            lock.withLock { sentBodies[query.isEmpty ? path : path + "?" + query] = answer.body }
        }
        leave()
        if fault == .cutShort {
            return .cutShort(status: answer.status, headers: Self.fields(answer), body: answer.body, sentBytes: answer.body.count / 2)
        }
        return Self.response(answer)
    }

    private static func fields(_ answer: Answer) -> [(String, String)] {
        [("Content-Type", answer.contentType)] + answer.headers
    }

    private static func response(_ answer: Answer) -> LoopbackHTTPServer.Reply {
        .answer(status: answer.status, headers: fields(answer), body: answer.body)
    }

    private static func unauthenticated(invalid: Bool) -> LoopbackHTTPServer.Reply {
        let body =
            invalid
            ? "{\"errors\":[{\"message\":\"Invalid access token.\"}]}"
            : "{\"status\":\"unauthenticated\",\"errors\":[{\"message\":\"user authorization required\"}]}"
        return response(Answer(status: 401, headers: [("WWW-Authenticate", "Bearer realm=\"canvas-lms\"")], body: Array(body.utf8)))
    }

    private static let notFoundBody = Array("{\"errors\":[{\"message\":\"The specified resource does not exist.\"}]}".utf8)

    private func route(path: String, parameters: [(String, String)], foreignNext: Bool) -> Answer {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return Answer(status: 404, body: Self.notFoundBody) }
        let rest = Array(parts.dropFirst(2))
        func values(_ name: String) -> [String] { parameters.filter { $0.0 == name }.map(\.1) }
        if rest.count == 3, rest[0] == "accounts", rest[2] == "courses" {
            guard rest[1] == options.accountID, values("enrollment_term_id") == ["sis_term_id:" + options.termSISID] else {
                return Answer(status: 404, body: Self.notFoundBody)
            }
            let ids = options.courseIDs
            return page(count: ids.count, path: path, parameters: parameters, bookmarked: false, foreignNext: foreignNext) { range in
                self.lock.withLock { ids[range].compactMap { self.lookUp($0) } }.map { $0.courseObject(base: self.baseURL) }
            }
        }
        guard rest.count >= 2, rest[0] == "courses", let course = lock.withLock({ findCourse(rest[1]) }) else {
            return Answer(status: 404, body: Self.notFoundBody)
        }
        if options.forbiddenCourses.contains(course.id) {
            return Answer(status: 401, body: Array("{\"status\":\"unauthorized\",\"errors\":[{\"message\":\"user not authorized to perform that action\"}]}".utf8))
        }
        switch Array(rest.dropFirst(2)) {
        case []:
            var object = course.courseObject(base: baseURL)
            if !values("include[]").contains("term") { object = object.removing("term") }
            return Answer(status: 200, body: object.encoded())
        case ["sections"]:
            let objects = course.sectionObjects()
            return page(count: objects.count, path: path, parameters: parameters, bookmarked: false, foreignNext: foreignNext) { Array(objects[$0]) }
        case ["assignment_groups"]:
            let include = values("include[]")
            let objects = course.groupObjects(base: baseURL, assignments: include.contains("assignments"), overrides: include.contains("overrides"))
            return page(count: objects.count, path: path, parameters: parameters, bookmarked: false, foreignNext: foreignNext) { Array(objects[$0]) }
        case ["students", "submissions"]:
            guard values("student_ids[]") == ["all"] else { return Answer(status: 400, body: Array("{\"errors\":[{\"message\":\"student_ids is required\"}]}".utf8)) }
            return page(count: course.submissions.count, path: path, parameters: parameters, bookmarked: true, foreignNext: foreignNext) {
                course.submissionObjects(base: self.baseURL, in: $0)
            }
        case ["enrollments"]:
            return page(count: course.enrollmentCount, path: path, parameters: parameters, bookmarked: true, foreignNext: foreignNext) {
                course.enrollmentObjects(base: self.baseURL, in: $0)
            }
        default:
            return Answer(status: 404, body: Self.notFoundBody)
        }
    }

    /// A course by path component: its id, `sis_course_id:X` or `hex:sis_course_id:<hex>`.
    private func findCourse(_ component: String) -> FakeCourse? {
        if let id = Int(component) { return lookUp(id) }
        var sis: String?
        if component.hasPrefix("sis_course_id:") { sis = String(component.dropFirst("sis_course_id:".count)) }
        if component.hasPrefix("hex:sis_course_id:") {
            let hex = Array(component.dropFirst("hex:sis_course_id:".count).utf8)
            guard hex.count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            var index = 0
            while index < hex.count {
                guard let byte = UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(byte)
                index += 2
            }
            sis = String(decoding: bytes, as: UTF8.self)
        }
        guard let sis else { return nil }
        if let course = options.courses.values.first(where: { $0.sisCourseID == sis }) { return course }
        if sis.hasPrefix("CRS-"), let id = Int(sis.dropFirst(4)) { return lookUp(id) }
        return nil
    }

    /// One page of a list of `count` elements (`make` builds those of a range) and its `Link`
    /// header, as canvas-lms's `Api.paginate` writes them.
    private func page(count: Int, path: String, parameters: [(String, String)], bookmarked: Bool, foreignNext: Bool, make: (Range<Int>) -> [FakeJSON]) -> Answer {
        let requested = parameters.last { $0.0 == "per_page" }.flatMap { Int($0.1) } ?? 10
        let perPage = max(1, min(requested, options.maximumPerPage))
        let pageText = parameters.last { $0.0 == "page" }?.1
        var offset = 0
        if let pageText {
            if bookmarked {
                guard pageText.hasPrefix("bookmark:"), let data = Data(base64Encoded: Self.unURLSafe(String(pageText.dropFirst(9)))),
                    let text = String(data: data, encoding: .utf8), text.hasPrefix("["), text.hasSuffix("]"),
                    let value = Int(text.dropFirst().dropLast())
                else { return Answer(status: 400, body: Array("{\"errors\":[{\"message\":\"invalid bookmark\"}]}".utf8)) }
                offset = value
            } else {
                guard let number = Int(pageText), number >= 1 else { return Answer(status: 400, body: Array("{\"errors\":[{\"message\":\"invalid page\"}]}".utf8)) }
                offset = (number - 1) * perPage
            }
        }
        let end = min(count, offset + perPage)
        let body = FakeJSON.array(offset < end ? make(offset..<end) : []).encoded()
        // Links: the other parameters (sorted, as Rails' to_query does), then page and per_page.
        let others = parameters.filter { $0.0 != "page" && $0.0 != "per_page" }
            .sorted { $0.0 < $1.0 }
            .map { Self.encode($0.0) + "=" + Self.encode($0.1) }
            .joined(separator: "&")
        let host = foreignNext ? "http://127.0.0.2:\(port)" : baseURL
        let base = host + path + "?" + (others.isEmpty ? "" : others + "&")
        func token(_ offset: Int) -> String {
            bookmarked ? "bookmark:" + Self.urlSafe(Data("[\(offset)]".utf8).base64EncodedString()) : String(offset / perPage + 1)
        }
        func link(_ offset: Int, _ rel: String) -> String {
            "<\(base)page=\(Self.encode(token(offset)))&per_page=\(perPage)>; rel=\"\(rel)\""
        }
        var links = [link(offset, "current")]
        if end < count { links.append(link(end, "next")) }
        if offset > 0 { links.append(link(max(0, offset - perPage), "prev")) }
        links.append(link(0, "first"))
        if !bookmarked { links.append(link(max(0, (count - 1) / perPage) * perPage, "last")) }
        return Answer(status: 200, headers: [("Link", links.joined(separator: ","))], body: body)
    }

    static func urlSafe(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func unURLSafe(_ text: String) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return base64
    }

    /// Query parameters in order, percent-decoded (`+` as space).
    static func parameters(_ query: String) -> [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Percent-encodes all but unreserved characters, as Rails' `to_query` (`include%5B%5D`).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

extension FakeJSON {
    func removing(_ key: String) -> FakeJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.0 != key })
    }
}
