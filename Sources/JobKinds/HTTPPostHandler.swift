import AsyncHTTPClient
import BanquetCore
import BridgeRuntime
import Foundation
import NIOCore

/// `http.post`: POSTs `payload.body` (any JSON) to `payload.url`.
///
/// Payload: `{"url": "https://…", "body": {…}, "headers": {"X-Name": "value"}, "rate_key": "…"}`.
/// Sends `Idempotency-Key: job-<id>` so a provider that supports it deduplicates retries.
/// 2xx → result `{"status": code}`; 429/503 → retryable honouring `Retry-After`; other 4xx →
/// permanent; other 5xx and connection errors → retryable.
/// Rate-limit keys: `http.post:host` (the URL's host) and, when given, `http.post:key` (`rate_key`).
public struct HTTPPostHandler: JobHandler {
    public static let kind = "http.post"

    public let provider: String?
    private let client: HTTPClient
    private let maxResponseBytes = 1 << 20

    public init(client: HTTPClient, provider: String? = HTTPPostHandler.kind) {
        self.client = client
        self.provider = provider
    }

    /// A client whose pool holds as many connections per host as the runtime runs jobs at once.
    /// AsyncHTTPClient's default of 8 made `http.post` jobs queue inside the client while they
    /// held bridge slots and their timeouts ran.
    public static func makeClient(maxConnectionsPerHost: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, maxConnectionsPerHost)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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
        var request = HTTPClientRequest(url: payload.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: context.idempotencyKey)
        for (name, value) in payload.headers ?? [:] { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(payload.body ?? .null)))

        let timeout = TimeAmount.nanoseconds(max(1, (context.deadline - .now).inNanoseconds))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Connection refused, reset, TLS, timeout: the request may not have arrived; retry.
            throw JobFailure.retryable("POST \(Self.redacted(payload.url)) failed: \(error)")
        }
        _ = try? await response.body.collect(upTo: maxResponseBytes)
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            return .json(Data("{\"status\":\(status)}".utf8))
        case 429, 503:
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Self.parseRetryAfter($0) }
            throw JobFailure.retryable("POST \(Self.redacted(payload.url)) returned \(status)", retryAfter: retryAfter)
        case 400..<500:
            throw JobFailure.permanent("POST \(Self.redacted(payload.url)) returned \(status)")
        default:
            throw JobFailure.retryable("POST \(Self.redacted(payload.url)) returned \(status)")
        }
    }

    /// `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                return .seconds(max(0, date.timeIntervalSince(now)))
            }
        }
        return nil
    }

    /// The URL without query string or credentials: tokens often travel there, errors must not.
    static func redacted(_ url: URL) -> String {
        "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(url.path)"
    }
}
