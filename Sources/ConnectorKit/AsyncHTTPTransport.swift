import BanquetCore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `HTTPTransport` over AsyncHTTPClient, with a connection pool sized for the job runtime.
///
/// AsyncHTTPClient opens at most 8 HTTP/1.1 connections per host by default. The job runtime runs
/// far more jobs than that against one provider host, so the ninth job onwards queued inside the
/// client while still holding its job slot and lease: throughput capped at 8 in flight and
/// timeouts spent waiting for a connection rather than for the provider. The pool here is sized
/// from `connectionsPerHost` (default 64), which should be at least the worker's concurrency for
/// the busiest provider.
public final class AsyncHTTPTransport: HTTPTransport {
    public static let defaultConnectionsPerHost = 64
    /// Large enough for any JSON API answer we consume (LLM completions included), small enough
    /// that a misbehaving endpoint cannot make a worker buffer an unbounded body.
    public static let defaultMaxResponseBytes = 4 << 20

    /// How much later than AsyncHTTPClient's deadline our own (whole-exchange) deadline fires.
    static let deadlineGrace = Duration.milliseconds(500)

    private let client: HTTPClient
    private let maxResponseBytes: Int
    private let logger: Logger

    /// - Parameters:
    ///   - connectionsPerHost: AsyncHTTPClient's `concurrentHTTP1ConnectionsPerHostSoftLimit`.
    ///   - maxResponseBytes: a longer response body fails the call as permanent.
    public init(
        connectionsPerHost: Int = AsyncHTTPTransport.defaultConnectionsPerHost,
        maxResponseBytes: Int = AsyncHTTPTransport.defaultMaxResponseBytes,
        logger: Logger = Logger(label: "banquet.connectorkit.http")
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        // API calls are never redirected in normal operation; following one would resend our
        // Authorization header or a signed request to a host we did not choose. A 3xx comes
        // back as a response, which `ConnectorError.classify` calls permanent.
        configuration.redirectConfiguration = .disallow
        self.client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
            backgroundActivityLogger: logger)
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
    }

    /// Closes the pool's connections. Call once, when the daemon stops.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func send(_ request: HTTPRequestSpec) async throws -> HTTPResponseSpec {
        var outbound = HTTPClientRequest(url: request.url.absoluteString)
        outbound.method = request.method
        outbound.headers = request.headers
        if !request.body.isEmpty {
            outbound.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let prepared = outbound
        let started = ContinuousClock.now
        let clientDeadline = NIODeadline.now() + .nanoseconds(request.timeout.inNanoseconds)
        let description = request.redactedDescription
        do {
            let response = try await withDeadline(started + request.timeout + Self.deadlineGrace) { [client, maxResponseBytes] in
                // AsyncHTTPClient's own deadline covers connecting and the response head only;
                // `withDeadline` extends it to the end of the body. Its deadline comes first so
                // that, when the provider is down, the error says why (AsyncHTTPClient retries a
                // refused connection until the deadline, then reports the last connect error).
                let response = try await client.execute(prepared, deadline: clientDeadline)
                let body = try await response.body.collect(upTo: maxResponseBytes)
                return HTTPResponseSpec(
                    status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
            }
            logger.debug("HTTP exchange", metadata: [
                "request": "\(description)", "status": "\(response.status)",
                "elapsed_ms": "\(Int(Duration.since(started).inMilliseconds))",
            ])
            return response
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .cancelled && Task.isCancelled {
            throw CancellationError()
        } catch is DeadlineExceeded {
            throw ConnectorError.retryable("\(description) timed out after \(request.timeout)")
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ConnectorError.retryable("\(description) timed out after \(request.timeout)")
        } catch let error as NIOTooManyBytesError {
            throw ConnectorError.permanent("\(description) response exceeded \(maxResponseBytes) bytes: \(error)")
        } catch {
            // Refused, reset, DNS, TLS: the request may never have arrived, so another attempt is
            // safe for idempotent calls and deduplicated by an idempotency key for the rest.
            throw ConnectorError.retryable("\(description) failed: \(error)")
        }
    }
}
