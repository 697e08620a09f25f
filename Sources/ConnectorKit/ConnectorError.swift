import Foundation
import NIOHTTP1

/// Why a provider call failed, in the three cases the job runtime acts on differently:
/// try again later, give up, or stop and tell an operator that credentials are wrong.
///
/// Messages never carry secrets: URLs are redacted before they are put in one (see `Redaction`).
public enum ConnectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Worth another attempt: the provider was overloaded, rate-limited us, timed out, or the
    /// connection failed before a response. `retryAfter` is the provider's own wait, if it gave one.
    case retryable(String, retryAfter: Duration? = nil)
    /// The same request will fail the same way again (malformed, rejected, not found).
    case permanent(String)
    /// The credentials were refused (401/403). Retrying burns attempts and can lock the account;
    /// an operator has to fix the configuration.
    case unauthorized(String)

    /// How much of an error response body goes into a message: enough to show the provider's
    /// explanation, not so much that a log line becomes a document.
    static let bodyExcerptLimit = 512

    public var message: String {
        switch self {
        case .retryable(let message, _), .permanent(let message), .unauthorized(let message): message
        }
    }

    public var retryAfter: Duration? {
        if case .retryable(_, let retryAfter) = self { return retryAfter }
        return nil
    }

    public var isRetryable: Bool {
        if case .retryable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .retryable(let message, let retryAfter?): "retryable (after \(retryAfter)): \(message)"
        case .retryable(let message, nil): "retryable: \(message)"
        case .permanent(let message): "permanent: \(message)"
        case .unauthorized(let message): "unauthorized: \(message)"
        }
    }

    /// The default reading of a failed HTTP response; a connector with its own rules (a provider
    /// that signals rate limits in a 400 body, say) checks those first and falls back to this.
    ///
    /// - 408, 425, 429 and 5xx: retryable, honouring `Retry-After`.
    /// - 401, 403: unauthorized.
    /// - any other status (other 4xx, and 3xx, since redirects are not followed): permanent.
    ///
    /// - Parameter request: a redacted description such as `POST https://api.example.com/v1/x`.
    public static func classify(
        status: Int, headers: HTTPHeaders, body: some Collection<UInt8>, request: String = "request",
        now: Date = Date()
    ) -> ConnectorError {
        var message = "\(request) returned \(status)"
        let excerpt = String(decoding: body.prefix(bodyExcerptLimit), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !excerpt.isEmpty {
            message += ": \(excerpt)\(body.count > bodyExcerptLimit ? "…" : "")"
        }
        switch status {
        case 408, 425, 429, 500...599:
            let retryAfter = headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: now) }
            return .retryable(message, retryAfter: retryAfter)
        case 401, 403:
            return .unauthorized(message)
        default:
            return .permanent(message)
        }
    }
}
