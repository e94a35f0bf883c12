import Foundation

/// A call that did not produce what it should, after its tries.
struct CanvasCallError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// `401` for the token itself (invalid, expired, revoked): nothing else will work.
        case tokenRefused
        /// `404`: the course (or the account) does not exist, or the token cannot see it.
        case notFound
        /// The token is good but may not read this (`401`/`403` "user not authorized").
        case forbidden
        /// Anything else: tries exhausted, an answer that is not JSON, a status Canvas should not
        /// send, a next link to another host.
        case failed
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }
}

/// Counts of one course's exchanges, for its progress line.
struct CallStats: Sendable, Equatable {
    var requests = 0
    var retries = 0

    static func += (lhs: inout CallStats, rhs: CallStats) {
        lhs.requests += rhs.requests
        lhs.retries += rhs.retries
    }
}

/// Canvas's REST API as the fetch stage uses it: `GET`s with the token, through the
/// ``RequestGate``, with retries (``RetryPolicy``), each answer checked to be the JSON asked for,
/// and lists followed through every `Link: rel="next"`.
///
/// This is the only type that sees the token's value: it puts it in the `Authorization` header of
/// requests to URLs that ``CanvasEndpoint/allows(_:)`` (the Canvas host), and nowhere else.
/// Messages name the path of a call, never its headers.
final class CanvasClient: Sendable {
    let endpoint: CanvasEndpoint
    private let token: CanvasToken
    let transport: any CanvasTransport
    let gate: RequestGate
    let tuning: FetchTuning

    init(endpoint: CanvasEndpoint, token: CanvasToken, transport: any CanvasTransport, tuning: FetchTuning) {
        self.endpoint = endpoint
        self.token = token
        self.transport = transport
        self.tuning = tuning
        gate = RequestGate(policy: tuning.rateLimit)
    }

    /// One object (`GET /courses/:id`): the answer's bytes and what `decode` made of them.
    func object<Value: Decodable>(_ url: String, what: String, as type: Value.Type, stats: inout CallStats) async throws -> (bytes: [UInt8], value: Value) {
        try await get(url, what: what, stats: &stats) { body in try Self.decode(Value.self, body, what: what) }
    }

    /// Every page of a list, in order, handed to `page` as it arrives (its bytes and its
    /// elements), following `Link: rel="next"` until there is none.
    func list<Element: Decodable>(
        _ firstURL: String, what: String, of type: Element.Type, stats: inout CallStats,
        page: (_ bytes: [UInt8], _ elements: [Element]) throws -> Void
    ) async throws {
        var url = firstURL
        var seen: Set<String> = [firstURL]
        var number = 1
        while true {
            let pageWhat = number == 1 ? what : "\(what) (page \(number))"
            let (bytes, elements, next) = try await get(url, what: pageWhat, stats: &stats) { body, response in
                let elements = try Self.decode([Element].self, body, what: pageWhat)
                let next: String?
                do {
                    next = try LinkHeader.next(in: response.values(of: "Link"))
                } catch {
                    throw CanvasCallError(.failed, "Canvas's Link header for \(pageWhat) cannot be read, so it is unclear whether more pages follow")
                }
                return (body, elements, next)
            }
            try page(bytes, elements)
            guard let next else { return }
            guard endpoint.allows(next) else {
                throw CanvasCallError(
                    .failed, "Canvas's link to the next page of \(what) leads away from \(endpoint.base); it was not followed, so the token stays on the Canvas host")
            }
            guard seen.insert(next).inserted else {
                throw CanvasCallError(.failed, "Canvas's link to the next page of \(what) repeats an earlier page; stopped there rather than loop")
            }
            guard number < tuning.maximumPages else {
                throw CanvasCallError(.failed, "\(what) has more than \(tuning.maximumPages) pages; stopped there")
            }
            number += 1
            url = next
        }
    }

    private func get<T>(_ url: String, what: String, stats: inout CallStats, _ accept: ([UInt8]) throws -> T) async throws -> (bytes: [UInt8], value: T) {
        try await get(url, what: what, stats: &stats) { body, _ in (body, try accept(body)) }
    }

    /// What one answer means for the retry loop.
    private enum Verdict {
        case done
        case retry(String, retryAfter: Duration?)
        case stop(CanvasCallError)
    }

    /// One call with its tries; `accept` turns a `2xx` body into the result, or throws a
    /// ``CanvasCallError`` (or ``RetryableBody`` for a body that looks cut short).
    private func get<T>(_ url: String, what: String, stats: inout CallStats, _ accept: ([UInt8], CanvasHTTPResponse) throws -> T) async throws -> T {
        precondition(endpoint.allows(url), "only Canvas URLs are requested")
        let request = CanvasHTTPRequest(
            url: url,
            headers: [
                ("Authorization", token.authorization),
                ("Accept", "application/json"),
                ("User-Agent", "passback/\(PassbackVersion.current)"),
            ],
            timeout: tuning.requestTimeout,
            maximumBodySize: tuning.maximumPageSize
        )
        var random = SystemRandomNumberGenerator()
        var lastProblem = ""
        for tryNumber in 1...max(1, tuning.retry.maximumTries) {
            try Task.checkCancellation()
            let pause = await gate.enter()
            var reported: Double?
            // Exactly one of these is set by the exchange.
            var result: Result<T, any Error>?
            var retry: (problem: String, retryAfter: Duration?)?
            do {
                if pause > .zero { try await Task.sleep(for: pause) }
                stats.requests += 1
                let response = try await transport.send(request)
                reported = RequestGate.quota(response.value(of: "X-Rate-Limit-Remaining"))
                switch Self.judge(response, what: what) {
                case .done:
                    do {
                        result = .success(try accept(response.body, response))
                    } catch let cut as RetryableBody {
                        retry = (cut.message, nil)
                    } catch {
                        result = .failure(error)
                    }
                case .retry(let problem, let retryAfter):
                    if reported == nil, Self.isRateLimited(response) { reported = 0 }
                    retry = (problem, retryAfter)
                case .stop(let error):
                    result = .failure(error)
                }
            } catch let error as CanvasTransportError {
                switch error.kind {
                case .timedOut, .connectionLost, .cutShort:
                    retry = ("\(what): \(error.detail)", nil)
                case .tooLarge, .other:
                    result = .failure(CanvasCallError(.failed, "\(what): \(error.detail)"))
                }
            } catch {
                result = .failure(error)
            }
            await gate.leave(remaining: reported)
            if let result { return try result.get() }
            if let retry {
                lastProblem = retry.problem
                try await backoff(tryNumber: tryNumber, retryAfter: retry.retryAfter, stats: &stats, random: &random)
            }
        }
        throw CanvasCallError(.failed, "\(lastProblem), \(tuning.retry.maximumTries) tries")
    }

    /// Waits before the next try, unless that was the last one.
    private func backoff(tryNumber: Int, retryAfter: Duration?, stats: inout CallStats, random: inout SystemRandomNumberGenerator) async throws {
        guard tryNumber < tuning.retry.maximumTries else { return }
        stats.retries += 1
        try await Task.sleep(for: tuning.retry.delay(beforeTry: tryNumber + 1, retryAfter: retryAfter, random: &random))
    }

    static func isRateLimited(_ response: CanvasHTTPResponse) -> Bool {
        if response.status == 429 { return true }
        guard response.status == 403 else { return false }
        return String(decoding: response.body.prefix(512), as: UTF8.self).localizedCaseInsensitiveContains("Rate Limit Exceeded")
    }

    /// What an answer means for the call.
    private static func judge(_ response: CanvasHTTPResponse, what: String) -> Verdict {
        let status = response.status
        let retryAfter = RetryPolicy.retryAfter(response.value(of: "Retry-After"))
        switch status {
        case 200..<300:
            return .done
        case 429:
            return .retry("\(what): rate limited (429)", retryAfter: retryAfter)
        case 403 where isRateLimited(response):
            return .retry("\(what): rate limited (403 Rate Limit Exceeded)", retryAfter: retryAfter)
        case 500..<600:
            return .retry("\(what): Canvas answered \(status)\(canvasMessage(response).map { " (\($0))" } ?? "")", retryAfter: retryAfter)
        case 401:
            // Canvas answers 401 both for a bad token (with WWW-Authenticate, "Invalid access
            // token" / "user authorization required") and, on older versions, for a good token
            // that may not read this ("user not authorized to perform that action").
            let message = canvasMessage(response)
            if response.value(of: "WWW-Authenticate") == nil, let message, message.localizedCaseInsensitiveContains("not authorized") {
                return .stop(CanvasCallError(.forbidden, "\(what): this token may not read it (401: \(message))"))
            }
            return .stop(
                CanvasCallError(
                    .tokenRefused,
                    "Canvas refused the token (401\(message.map { ": \($0)" } ?? "")); it may be mistyped, expired or revoked: make a new one in Canvas (Account, Settings, New Access Token)"
                ))
        case 403:
            return .stop(CanvasCallError(.forbidden, "\(what): this token may not read it (403\(canvasMessage(response).map { ": \($0)" } ?? ""))"))
        case 404:
            return .stop(CanvasCallError(.notFound, "\(what): Canvas says it does not exist or this token cannot see it (404)"))
        case 300..<400:
            let target = response.value(of: "Location").flatMap { URLComponents(string: $0)?.host } ?? "elsewhere"
            return .stop(
                CanvasCallError(
                    .failed, "\(what): Canvas answered with a redirect (\(status)) to \(target), which is not followed; check that --canvas-url is the address API calls go to"))
        default:
            return .stop(CanvasCallError(.failed, "\(what): Canvas answered \(status)\(canvasMessage(response).map { " (\($0))" } ?? "")"))
        }
    }

    /// The first message of Canvas's error JSON (`{"errors":[{"message":"..."}]}`), shortened.
    static func canvasMessage(_ response: CanvasHTTPResponse) -> String? {
        struct ErrorJSON: Decodable {
            struct Message: Decodable { let message: String? }
            let errors: [Message]?
            let message: String?
        }
        guard !response.body.isEmpty, response.body.count < 65536,
            let parsed = try? JSONDecoder().decode(ErrorJSON.self, from: Data(response.body)),
            let text = parsed.errors?.first?.message ?? parsed.message
        else { return nil }
        return printable(text, limit: 120)
    }

    /// A body that ends in the middle of a value: worth another try.
    struct RetryableBody: Error {
        var message: String
    }

    /// Decodes an answer, saying in a sentence what is wrong when it cannot.
    static func decode<Value: Decodable>(_ type: Value.Type, _ body: [UInt8], what: String) throws -> Value {
        let data = Data(body)
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                let first = CanvasBundleReader.firstValueByte(of: data)
                if let first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                    let syntax = CanvasBundleReader.syntaxError(in: data)
                    if syntax.text.contains("cut short") {
                        throw RetryableBody(message: "\(what): the answer was cut short (\(body.count) bytes)")
                    }
                    throw CanvasCallError(.failed, "\(what): Canvas's answer is not valid JSON (\(syntax.text))")
                }
                let start = printable(String(decoding: body.prefix(60), as: UTF8.self), limit: 40)
                throw CanvasCallError(
                    .failed,
                    "\(what): Canvas's answer is not JSON\(start.isEmpty ? " (it is empty)" : " (it starts with \"\(start)\")"); check that --canvas-url is the Canvas address")
            }
            throw CanvasCallError(.failed, "\(what): Canvas's answer is JSON, but not what the API documents (\(describe(error)))")
        }
    }

    /// A decoding error as `member.path: what was expected`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the answer" : text
        }
        switch error {
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) is null"
        @unknown default:
            return "\(error)"
        }
    }

    /// `text` with control characters dropped, cut to `limit` characters.
    static func printable(_ text: String, limit: Int) -> String {
        let cleaned = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "..." : cleaned
    }
}
