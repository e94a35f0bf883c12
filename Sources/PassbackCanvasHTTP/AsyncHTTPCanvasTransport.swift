import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PassbackCore

/// ``CanvasTransport`` over AsyncHTTPClient: TLS, connection pooling and HTTP/2 from a real
/// HTTP stack, kept out of `PassbackCore` (and so out of the libFuzzer build).
///
/// Redirects are never followed (the token would go wherever `Location` points; the fetch
/// stage reports a redirect instead), nothing is retried here (the stage decides), and errors
/// are sorted into ``CanvasTransportError`` kinds. Call ``shutdown()`` when done.
public final class AsyncHTTPCanvasTransport: CanvasTransport {
    private let client: HTTPClient

    /// - Parameter connectTimeout: how long to wait for a connection (and TLS) to open.
    public init(connectTimeout: Duration = .seconds(15)) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: Self.amount(connectTimeout)),
            connectionPool: HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 8),
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func send(_ request: CanvasHTTPRequest) async throws -> CanvasHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .GET
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        let deadline = NIODeadline.now() + Self.amount(request.timeout)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, deadline: deadline)
        } catch {
            throw Self.sorted(error, whileReadingBody: false)
        }
        do {
            let body = try await response.body.collect(upTo: request.maximumBodySize)
            return CanvasHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer: body)
            )
        } catch {
            throw Self.sorted(error, whileReadingBody: true)
        }
    }

    /// Closes the connections; the transport cannot be used after.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// An AsyncHTTPClient or SwiftNIO error as the kind the fetch stage decides on.
    static func sorted(_ error: any Error, whileReadingBody: Bool) -> any Error {
        if error is CancellationError { return error }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return CanvasTransportError(.timedOut, "no complete answer in time (\(client))")
            case .cancelled:
                return Task.isCancelled ? CancellationError() : CanvasTransportError(.connectionLost, "the request was cancelled")
            case .remoteConnectionClosed:
                return CanvasTransportError(
                    whileReadingBody ? .cutShort : .connectionLost, "Canvas closed the connection\(whileReadingBody ? " before the answer was complete" : "")")
            default:
                return CanvasTransportError(whileReadingBody ? .cutShort : .other, "\(client)")
            }
        }
        if error is NIOTooManyBytesError {
            return CanvasTransportError(.tooLarge, "the answer is larger than a page can be")
        }
        if let parser = error as? HTTPParserError {
            return CanvasTransportError(.cutShort, "the answer was cut short or malformed (\(parser))")
        }
        if let io = error as? IOError {
            return CanvasTransportError(.connectionLost, "the connection failed (\(io.description))")
        }
        if error is NIOConnectionError || error is ChannelError {
            return CanvasTransportError(.connectionLost, "the connection failed (\(error))")
        }
        return CanvasTransportError(whileReadingBody ? .cutShort : .other, "\(error)")
    }
}
