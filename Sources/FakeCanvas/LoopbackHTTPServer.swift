import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on a loopback port, made of SwiftNIO's own parts (`ServerBootstrap`, the
/// `NIOHTTP1` codec, `NIOAsyncChannel`), with one handler for every request.
///
/// SwiftNIO is here anyway (AsyncHTTPClient runs on it); a web framework would add a router,
/// middleware and service lifecycle the fake Canvas does not use, and several minutes of CI
/// build (Hummingbird and its packages, measured in docs/PERFORMANCE.md). What the fake needs
/// beyond a plain answer is what a framework hides: a body cut short under its
/// `Content-Length`, a connection reset without an answer, and an answer that waits while
/// watching whether its client is still there.
final class LoopbackHTTPServer: @unchecked Sendable {
    /// One request: its head (the body of a `GET` is ignored).
    struct Request: Sendable {
        /// The path as sent (percent-encoded), without the query.
        var path: String
        /// The query as sent, without `?`, or `""`.
        var query: String
        var headers: [(name: String, value: String)]
    }

    /// What to do with a request.
    enum Reply: Sendable {
        /// A whole answer; `Content-Length` is added.
        case answer(status: Int, headers: [(String, String)], body: [UInt8])
        /// The head announces the whole body, then only `sentBytes` of it go out and the
        /// connection closes.
        case cutShort(status: Int, headers: [(String, String)], body: [UInt8], sentBytes: Int)
        /// The connection reset (`SO_LINGER` 0, then closed), nothing answered.
        case reset
    }

    /// The connection a request came on, as far as the handler needs it.
    struct Connection: Sendable {
        let channel: any Channel
        /// False once the client has hung up (seen when the server reads) or the server closed it.
        var isOpen: Bool { channel.isActive }
    }

    typealias Handler = @Sendable (Request, Connection) async -> Reply

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let handler: Handler
    private var acceptTask: Task<Void, Never>?
    private let lock = NSLock()
    /// Open connections, and whether each is in the middle of an answer.
    private var connections: [ObjectIdentifier: (channel: any Channel, busy: Bool)] = [:]
    private var stopping = false

    /// The port bound.
    let port: Int

    private init(serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>, handler: @escaping Handler) {
        self.serverChannel = serverChannel
        self.handler = handler
        port = serverChannel.channel.localAddress?.port ?? 0
    }

    /// Binds `127.0.0.1:port` (0: any free port) and starts answering.
    static func start(port: Int, handler: @escaping Handler) async throws -> LoopbackHTTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: "127.0.0.1", port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let server = LoopbackHTTPServer(serverChannel: channel, handler: handler)
        server.acceptTask = Task { await server.accept() }
        return server
    }

    /// Stops: no new connection; idle ones closed now, busy ones once their answer is out.
    /// Returns when every connection is closed.
    func stop() async {
        let idle = lock.withLock { () -> [any Channel] in
            stopping = true
            return connections.values.filter { !$0.busy }.map(\.channel)
        }
        try? await serverChannel.channel.close()
        for channel in idle { try? await channel.close() }
        await acceptTask?.value
    }

    private func accept() async {
        await withDiscardingTaskGroup { group in
            try? await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        let key = ObjectIdentifier(channel)
        let refused = lock.withLock { () -> Bool in
            if stopping { return true }
            connections[key] = (channel, false)
            return false
        }
        defer { lock.withLock { _ = connections.removeValue(forKey: key) } }
        if refused {
            try? await channel.close()
            return
        }
        try? await connection.executeThenClose { inbound, _ in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    lock.withLock { connections[key]?.busy = true }
                case .body:
                    continue
                case .end:
                    guard let requestHead = head else { continue }
                    head = nil
                    let request = Self.request(requestHead)
                    switch await handler(request, Connection(channel: channel)) {
                    case .answer(let status, let headers, let body):
                        try await Self.write(
                            status: status, headers: headers, announced: body.count, body: body[...], keepAlive: requestHead.isKeepAlive, version: requestHead.version, to: channel)
                    case .cutShort(let status, let headers, let body, let sentBytes):
                        try await Self.write(
                            status: status, headers: headers, announced: body.count, body: body.prefix(sentBytes), keepAlive: true, version: requestHead.version, to: channel,
                            end: false)
                        return
                    case .reset:
                        if let provider = channel as? any SocketOptionProvider {
                            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                        }
                        return
                    }
                    let closeNow = lock.withLock { () -> Bool in
                        connections[key]?.busy = false
                        return stopping
                    }
                    if closeNow || !requestHead.isKeepAlive { return }
                }
            }
        }
    }

    private static func request(_ head: HTTPRequestHead) -> Request {
        let uri = head.uri
        let path: Substring
        let query: Substring
        if let mark = uri.firstIndex(of: "?") {
            path = uri[..<mark]
            query = uri[uri.index(after: mark)...]
        } else {
            path = uri[...]
            query = ""
        }
        return Request(path: String(path), query: String(query), headers: head.headers.map { (name: $0.name, value: $0.value) })
    }

    /// Writes an answer through the channel itself, each part waited for until it is on the
    /// socket: a connection closed right after loses nothing of what was written (the
    /// `NIOAsyncChannel` writer returns before that, and a close would drop what is pending).
    private static func write(
        status: Int, headers: [(String, String)], announced: Int, body: ArraySlice<UInt8>, keepAlive: Bool, version: HTTPVersion,
        to channel: any Channel, end: Bool = true
    ) async throws {
        var fields = HTTPHeaders(headers)
        fields.replaceOrAdd(name: "Content-Length", value: String(announced))
        if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
        try await channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: fields))).get()
        if !body.isEmpty { try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body)))).get() }
        if end { try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get() }
    }
}
