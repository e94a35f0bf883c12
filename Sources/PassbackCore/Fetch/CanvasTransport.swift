/// The HTTP exchange the fetch stage needs, and nothing more: one `GET` in, status, headers and
/// body out.
///
/// `PassbackCore` holds every decision about Canvas (which calls, retries, pagination, the token's
/// host) and speaks only this protocol, so it does not depend on an HTTP stack: the libFuzzer build
/// compiles `PassbackCore` and everything it depends on with sanitizers, and SwiftNIO there would
/// cost CI minutes for nothing. `PassbackCanvasHTTP` implements it with AsyncHTTPClient; tests may
/// implement it in memory. Shaped like swift-openapi-runtime's `ClientTransport`.
public protocol CanvasTransport: Sendable {
    /// Sends one request and returns the whole response.
    ///
    /// A transport must not follow redirects (the token would go wherever a `Location` points)
    /// and must not retry: the caller decides both.
    /// - Throws: ``CanvasTransportError`` for what went wrong on the way (the kind decides
    ///   whether the caller retries); nothing else.
    func send(_ request: CanvasHTTPRequest) async throws -> CanvasHTTPResponse
}

/// One `GET` to Canvas.
public struct CanvasHTTPRequest: Sendable, Equatable {
    /// The absolute URL, already checked to be on the Canvas host.
    public var url: String
    /// Header fields in order; the `Authorization` field carries the token.
    public var headers: [(name: String, value: String)]
    /// How long the whole exchange may take, body included.
    public var timeout: Duration
    /// Larger bodies are refused (``CanvasTransportError/Kind/tooLarge``).
    public var maximumBodySize: Int

    init(url: String, headers: [(name: String, value: String)], timeout: Duration, maximumBodySize: Int) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.maximumBodySize = maximumBodySize
    }

    public static func == (lhs: CanvasHTTPRequest, rhs: CanvasHTTPRequest) -> Bool {
        lhs.url == rhs.url && lhs.timeout == rhs.timeout && lhs.maximumBodySize == rhs.maximumBodySize
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Canvas's answer.
public struct CanvasHTTPResponse: Sendable {
    public var status: Int
    /// Header fields as received (names in any case; several fields may share a name).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Every value of the header `name` (compared without case).
    func values(of name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// The first value of the header `name`.
    func value(of name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }
}

/// Why an exchange produced no response.
public struct CanvasTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No answer in time.
        case timedOut
        /// The connection was refused, reset or closed before the response was complete.
        case connectionLost
        /// The response ended before its announced end (a body cut short).
        case cutShort
        /// The body is larger than the request allowed.
        case tooLarge
        /// Anything else (a TLS failure, a URL the stack refuses): retrying will not help.
        case other
    }

    public var kind: Kind
    /// What happened, for the course's reason; never holds the token.
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail }
}

extension String {
    /// ASCII case-insensitive equality, for header names.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count
            && zip(utf8, other.utf8).allSatisfy { a, b in
                a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
            }
    }
}
