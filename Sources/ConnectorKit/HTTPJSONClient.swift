import Foundation
import NIOHTTP1

/// JSON over HTTP, the way most provider APIs speak it: encode an `Encodable` body, send it with a
/// per-call timeout, turn any failure into a `ConnectorError`, decode the `Decodable` answer.
///
/// Connectors build on this instead of on a transport directly so that status classification,
/// redaction of URLs in messages and the handling of malformed answers are the same everywhere.
public struct HTTPJSONClient: Sendable {
    public let transport: any HTTPTransport
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    public init(transport: any HTTPTransport, encoder: JSONEncoder = JSONEncoder(), decoder: JSONDecoder = JSONDecoder()) {
        self.transport = transport
        self.encoder = encoder
        self.decoder = decoder
    }

    /// Sends `body` as JSON and decodes a 2xx answer as `Response`.
    ///
    /// - Throws: `ConnectorError` (a non-2xx status is classified by `ConnectorError.classify`;
    ///   an answer that does not decode is permanent), or `CancellationError`.
    public func send<Response: Decodable>(
        _ method: HTTPMethod, _ url: URL, body: some Encodable, headers: HTTPHeaders = [:], timeout: Duration,
        as _: Response.Type = Response.self
    ) async throws -> Response {
        try await send(jsonRequest(method, url, body: body, headers: headers, timeout: timeout), as: Response.self)
    }

    /// A call without a body (GET, DELETE) whose 2xx answer decodes as `Response`.
    public func send<Response: Decodable>(
        _ method: HTTPMethod, _ url: URL, headers: HTTPHeaders = [:], timeout: Duration,
        as _: Response.Type = Response.self
    ) async throws -> Response {
        var request = HTTPRequestSpec(method: method, url: url, headers: headers, timeout: timeout)
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        return try await send(request, as: Response.self)
    }

    /// The JSON request `send(_:_:body:…)` would make, for a caller that has to change it before it
    /// goes out (sign it with `SigV4Signer`, say), then passes it to `send(_:as:)`.
    public func jsonRequest(
        _ method: HTTPMethod, _ url: URL, body: some Encodable, headers: HTTPHeaders = [:], timeout: Duration
    ) throws -> HTTPRequestSpec {
        let encoded: Data
        do {
            encoded = try encoder.encode(body)
        } catch {
            throw ConnectorError.permanent("\(method.rawValue) \(Redaction.url(url)): request body did not encode: \(error)")
        }
        var request = HTTPRequestSpec(method: method, url: url, headers: headers, body: Array(encoded), timeout: timeout)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        return request
    }

    /// Sends a prepared request and decodes its 2xx answer as `Response`.
    public func send<Response: Decodable>(_ request: HTTPRequestSpec, as _: Response.Type = Response.self) async throws -> Response {
        let response = try await perform(request)
        do {
            return try decoder.decode(Response.self, from: Data(response.body))
        } catch {
            // A 2xx with a body we cannot read will not read better next time.
            throw ConnectorError.permanent(
                "\(request.redactedDescription) returned \(response.status) with an unexpected body: \(error)")
        }
    }

    /// Sends a prepared request whose answer is not JSON (an S3 object, say) and returns it if 2xx;
    /// anything else throws the classified `ConnectorError`.
    public func perform(_ request: HTTPRequestSpec) async throws -> HTTPResponseSpec {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            throw ConnectorError.classify(
                status: response.status, headers: response.headers, body: response.body,
                request: request.redactedDescription)
        }
        return response
    }
}
