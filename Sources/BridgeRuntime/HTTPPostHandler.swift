import AsyncHTTPClient
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

    public init(client: HTTPClient = .shared, provider: String? = HTTPPostHandler.kind) {
        self.client = client
        self.provider = provider
    }

    struct Payload {
        var url: URL
        var body: Data
        var headers: [String: String]
        var rateKey: String?

        init(_ job: ClaimedJob) throws {
            guard let object = (try? JSONSerialization.jsonObject(with: job.payload)) as? [String: Any] else {
                throw JobFailure.permanent("malformed payload for \(job.kind): expected a JSON object")
            }
            guard let raw = object["url"] as? String, let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
                  ["http", "https"].contains(scheme), url.host != nil
            else {
                throw JobFailure.permanent("malformed payload for \(job.kind): 'url' must be an http(s) URL")
            }
            self.url = url
            let body = object["body"] ?? NSNull()
            self.body = try JSONSerialization.data(withJSONObject: body, options: [.fragmentsAllowed])
            self.headers = (object["headers"] as? [String: String]) ?? [:]
            self.rateKey = object["rate_key"] as? String
        }
    }

    public func rateLimitKeys(for job: ClaimedJob) -> [RateLimitKey] {
        guard let payload = try? Payload(job) else { return [] }
        var keys = [RateLimitKey(name: "http.post:host", value: payload.url.host ?? "")]
        if let key = payload.rateKey { keys.append(RateLimitKey(name: "http.post:key", value: key)) }
        return keys
    }

    public func perform(_ job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let payload = try Payload(job)
        var request = HTTPClientRequest(url: payload.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: context.idempotencyKey)
        for (name, value) in payload.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: payload.body))

        let remaining = context.deadline - .now
        let timeout = TimeAmount.nanoseconds(max(1, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000))
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
