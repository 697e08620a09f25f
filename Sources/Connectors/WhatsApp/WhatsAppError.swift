import Foundation

/// A failed send, classified by the Graph API error code (`error.code`), not just the HTTP
/// status: Meta reports throttling and window rules in 400 bodies.
/// developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
public struct WhatsAppError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Throttled or temporarily unavailable: 130429 (rate limit), 131056 (pair rate limit),
        /// 131000 (something went wrong), 4 (app call limit), 80007 (WABA rate limit), 5xx,
        /// timeouts. Retried with backoff, honouring `Retry-After`.
        case retryable(retryAfter: Duration?)
        /// 131047: more than 24 hours since the guest last wrote; only a template can go.
        case windowClosed
        /// 190: the access token expired or was revoked; an operator must replace it.
        case tokenExpired
        /// Any other rejection (131026 undeliverable, 131051 unsupported type, 132000/132001
        /// template parameters/missing, 133010 number not registered, …): retrying cannot help.
        case permanent
    }

    public var kind: Kind
    /// The Graph `error.code` (nil when no Graph error body came back).
    public var code: Int?
    public var subcode: Int?
    /// `error.message` and `error.error_data.details`, as the provider wrote them.
    public var reason: String

    public init(kind: Kind, code: Int?, subcode: Int? = nil, reason: String) {
        self.kind = kind
        self.code = code
        self.subcode = subcode
        self.reason = reason
    }

    public static let retryableCodes: Set<Int> = [130429, 131056, 131000, 4, 80007]
    public static let windowClosedCode = 131047
    public static let tokenExpiredCode = 190

    /// Reads a Graph error. `status` decides only when the body names no code.
    public static func classify(code: Int?, subcode: Int?, reason: String, status: Int, retryAfter: Duration?) -> WhatsAppError {
        let kind: Kind
        switch code {
        case let code? where retryableCodes.contains(code): kind = .retryable(retryAfter: retryAfter)
        case windowClosedCode?: kind = .windowClosed
        case tokenExpiredCode?: kind = .tokenExpired
        case _?: kind = .permanent
        case nil:
            switch status {
            case 408, 425, 429, 500...599: kind = .retryable(retryAfter: retryAfter)
            case 401: kind = .tokenExpired
            default: kind = .permanent
            }
        }
        return WhatsAppError(kind: kind, code: code, subcode: subcode, reason: reason)
    }

    /// `WhatsApp error 131047: Re-engagement message: <details>` — the form the message's error
    /// takes, so the SQL failure handling can read the code (status webhooks write the same).
    public var description: String {
        "WhatsApp error \(code.map(String.init) ?? "?"): \(reason)"
    }
}
