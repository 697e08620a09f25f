import Foundation
import NIOHTTP1

/// One HTTP exchange, as a connector describes it: everything needed to send it and to sign it
/// (SigV4 signs method, URL, headers and body bytes, so all of them are plain values here).
public struct HTTPRequestSpec: Sendable {
    public var method: HTTPMethod
    /// Sent as written: a path segment the caller percent-encoded (`%3A`, `%2F`) stays encoded.
    public var url: URL
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// How long the whole exchange may take, from sending the request to the last body byte.
    public var timeout: Duration

    public init(method: HTTPMethod, url: URL, headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// `POST https://host/path` with the query string and credentials removed, for messages.
    public var redactedDescription: String {
        "\(method.rawValue) \(Redaction.url(url))"
    }
}

/// A response read in full (up to the transport's size cap).
public struct HTTPResponseSpec: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The I/O seam under every HTTP connector: the real one is `AsyncHTTPTransport`; tests and
/// offline connectors supply their own.
///
/// A transport returns every response it receives, whatever its status: judging a status is the
/// caller's business (S3 treats 404 as an answer, most APIs as an error). It throws only when no
/// complete response arrived: `ConnectorError.retryable` for timeouts and connection failures,
/// `ConnectorError.permanent` for a body over the size cap, `CancellationError` when the calling
/// task was cancelled.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestSpec) async throws -> HTTPResponseSpec
}
