import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for exercising the transport end
/// to end. Routes:
/// - `POST /echo`: answers 200 with the request body.
/// - `GET /status/<code>?retry-after=<v>&location=<url>&body=<text>`: answers `<code>`.
/// - `GET /hold?ms=<n>`: answers 200 `{}` after `n` milliseconds (also `/slow`).
/// - `GET /uri/...`: answers 200 with the request target exactly as received.
/// - `GET /stall`: sends the head and 2 of 10 promised body bytes, then nothing.
///
/// It counts open connections and requests in flight, and their peaks.
final class TestHTTPServer: Sendable {
    struct Stats: Sendable {
        var openConnections = 0
        var peakConnections = 0
        var inFlight = 0
        var peakInFlight = 0
    }

    let stats = NIOLockedValueBox(Stats())
    private let serverChannel: any Channel

    var baseURL: String { "http://127.0.0.1:\(serverChannel.localAddress!.port!)" }

    init() async throws {
        let stats = self.stats
        serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(stats: stats))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func shutdown() async throws {
        try await serverChannel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let stats: NIOLockedValueBox<Stats>
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(stats: NIOLockedValueBox<Stats>) {
            self.stats = stats
        }

        func channelActive(context: ChannelHandlerContext) {
            stats.withLockedValue {
                $0.openConnections += 1
                $0.peakConnections = max($0.peakConnections, $0.openConnections)
            }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            stats.withLockedValue { $0.openConnections -= 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                respond(context: context)
            }
        }

        private func respond(context: ChannelHandlerContext) {
            guard let head else { return }
            let components = URLComponents(string: head.uri)
            let path = components?.path ?? head.uri
            let query = Dictionary(
                (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })

            if path == "/echo" {
                write(context: context, status: .ok, headers: ["Content-Type": "application/json"], body: Array(buffer: body))
            } else if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
                var headers: HTTPHeaders = [:]
                if let retryAfter = query["retry-after"] { headers.add(name: "Retry-After", value: retryAfter) }
                if let location = query["location"] { headers.add(name: "Location", value: location) }
                write(context: context, status: .init(statusCode: code), headers: headers, body: Array((query["body"] ?? "").utf8))
            } else if path == "/hold" || path == "/slow" {
                let milliseconds = Int64(query["ms"] ?? "") ?? 300
                stats.withLockedValue {
                    $0.inFlight += 1
                    $0.peakInFlight = max($0.peakInFlight, $0.inFlight)
                }
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(milliseconds)) {
                    self.stats.withLockedValue { $0.inFlight -= 1 }
                    self.write(context: context, status: .ok, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
                }
            } else if path == "/stall" {
                let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "10"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "{}")))), promise: nil)
            } else if path.hasPrefix("/uri/") {
                write(context: context, status: .ok, headers: [:], body: Array(head.uri.utf8))
            } else {
                write(context: context, status: .notFound, headers: [:], body: [])
            }
        }

        private func write(context: ChannelHandlerContext, status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]) {
            var headers = headers
            headers.add(name: "Content-Length", value: "\(body.count)")
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
