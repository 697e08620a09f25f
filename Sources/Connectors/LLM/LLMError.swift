import ConnectorKit
import Foundation
import NIOHTTP1

/// Why a model call failed, in the classes the ledger records (`ai_runs.outcome`) and the job
/// runtime acts on: rate limits, outages and timeouts are retried (honouring `Retry-After`);
/// a rejected request, refused credentials, an exhausted account and an invalid answer are not.
public struct LLMError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case rateLimited = "rate_limited"
        case unavailable
        case timeout
        case rejected
        case unauthorized
        case outOfCredit = "out_of_credit"
        case invalidAnswer = "invalid_answer"
    }

    public var kind: Kind
    public var message: String
    public var retryAfter: Duration?

    public init(_ kind: Kind, _ message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    public var isRetryable: Bool { [.rateLimited, .unavailable, .timeout].contains(kind) }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// Reads a non-2xx answer. ConnectorKit's classification supplies the message (redacted URL,
    /// body excerpt) and `Retry-After`; the status then picks the class. Two provider habits are
    /// read from the body: OpenAI reports an exhausted account as 429 `insufficient_quota`
    /// (retrying cannot help), OpenRouter as 402.
    public static func classify(_ response: HTTPResponseSpec, request: HTTPRequestSpec, secrets: [String] = []) -> LLMError {
        let base = ConnectorError.classify(status: response.status, headers: response.headers, body: response.body,
                                           request: request.redactedDescription)
        let message = Redaction.secrets(secrets, in: base.message)
        let body = String(decoding: response.body.prefix(4096), as: UTF8.self)
        switch response.status {
        case 402:
            return LLMError(.outOfCredit, message)
        case 429 where body.contains("insufficient_quota"):
            return LLMError(.outOfCredit, message)
        case 429:
            return LLMError(.rateLimited, message, retryAfter: base.retryAfter)
        case 408:
            return LLMError(.timeout, message, retryAfter: base.retryAfter)
        case 500...599:
            return LLMError(.unavailable, message, retryAfter: base.retryAfter)
        case 401, 403:
            return LLMError(.unauthorized, message)
        default:
            return LLMError(.rejected, message)
        }
    }

    /// A transport failure (no complete response): a timeout, or a connection that failed.
    public static func transport(_ error: ConnectorError) -> LLMError {
        switch error {
        case .retryable(let message, let retryAfter):
            return LLMError(message.contains("timed out") ? .timeout : .unavailable, message, retryAfter: retryAfter)
        case .unauthorized(let message):
            return LLMError(.unauthorized, message)
        case .permanent(let message):
            return LLMError(.rejected, message)
        }
    }
}

extension HTTPTransport {
    /// Sends a model call and returns its 2xx response; anything else throws `LLMError`.
    func sendLLM(_ request: HTTPRequestSpec, secrets: [String] = []) async throws -> HTTPResponseSpec {
        let response: HTTPResponseSpec
        do {
            response = try await send(request)
        } catch let error as ConnectorError {
            throw LLMError.transport(error)
        }
        guard (200..<300).contains(response.status) else {
            throw LLMError.classify(response, request: request, secrets: secrets)
        }
        return response
    }
}
