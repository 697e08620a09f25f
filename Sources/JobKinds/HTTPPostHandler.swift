import BanquetCore
import BridgeRuntime
import ConnectorKit
import Foundation
import NIOHTTP1

/// `http.post`: POSTs `payload.body` (any JSON) to `payload.url`.
///
/// Payload: `{"url": "https://…", "body": {…}, "headers": {"X-Name": "value"}, "rate_key": "…"}`.
/// Sends `Idempotency-Key: job-<id>` so a provider that supports it deduplicates retries.
/// 2xx → result `{"status": code}`; otherwise ConnectorKit's reading of the status: 408, 425, 429
/// and 5xx retryable honouring `Retry-After`; other 4xx (and 3xx: redirects are not followed)
/// permanent; connection errors and timeouts retryable.
/// Rate-limit keys: `http.post:host` (the URL's host) and, when given, `http.post:key` (`rate_key`).
public struct HTTPPostHandler: JobHandler {
    public static let kind = "http.post"

    public let provider: String?
    private let client: HTTPJSONClient

    /// `transport` should hold as many connections per host as the runtime runs jobs at once
    /// (`AsyncHTTPTransport(connectionsPerHost:)`): with AsyncHTTPClient's default of 8, jobs
    /// queued inside the client while they held bridge slots and their timeouts ran.
    public init(transport: any HTTPTransport, provider: String? = HTTPPostHandler.kind) {
        self.client = HTTPJSONClient(transport: transport)
        self.provider = provider
    }

    public struct Payload: Decodable, Sendable {
        public var url: URL
        public var body: JSONValue?
        public var headers: [String: String]?
        public var rateKey: String?

        enum CodingKeys: String, CodingKey {
            case url, body, headers
            case rateKey = "rate_key"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let raw = try container.decode(String.self, forKey: .url)
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw DecodingError.dataCorruptedError(forKey: .url, in: container, debugDescription: "must be an http(s) URL")
            }
            self.url = url
            self.body = try container.decodeIfPresent(JSONValue.self, forKey: .body)
            self.headers = try container.decodeIfPresent([String: String].self, forKey: .headers)
            self.rateKey = try container.decodeIfPresent(String.self, forKey: .rateKey)
        }
    }

    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] {
        var keys = [RateLimitKey(name: "http.post:host", value: payload.url.host ?? "")]
        if let key = payload.rateKey { keys.append(RateLimitKey(name: "http.post:key", value: key)) }
        return keys
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        var headers: HTTPHeaders = ["Idempotency-Key": context.idempotencyKey]
        for (name, value) in payload.headers ?? [:] { headers.replaceOrAdd(name: name, value: value) }
        do {
            let request = try client.jsonRequest(.POST, payload.url, body: payload.body ?? .null, headers: headers,
                                                 timeout: context.deadline - .now)
            let response = try await client.perform(request)
            return .json(Data("{\"status\":\(response.status)}".utf8))
        } catch let error as ConnectorError {
            throw JobFailure(error)
        }
    }
}

extension JobFailure {
    /// A connector's verdict as the runtime's: retryable stays retryable (with the provider's
    /// wait); permanent and unauthorized go dead at once.
    init(_ error: ConnectorError) {
        switch error {
        case .retryable(let message, let retryAfter): self = .retryable(message, retryAfter: retryAfter)
        case .permanent(let message), .unauthorized(let message): self = .permanent(message)
        }
    }
}
