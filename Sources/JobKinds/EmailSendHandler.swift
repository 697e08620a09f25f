import BridgeRuntime
import Connectors
import Foundation

/// `email.send`: delivers one email through the configured transport and hands the provider's
/// message id to the kind's SQL write-back (which, for a notification, marks it sent).
///
/// Payload (written by SQL triggers): {"to", "subject", "text", "html"?, "reply_to"?, "from"?,
/// "notification_id"?}. The Message-ID is derived from the job id, so a retried send after a
/// crash carries the same id and receiving systems can de-duplicate.
public struct EmailSendHandler: JobHandler {
    public static let kind = "email.send"

    let transport: any EmailTransport
    let defaultFrom: String

    public init(transport: any EmailTransport, defaultFrom: String) {
        self.transport = transport
        self.defaultFrom = defaultFrom
    }

    public struct Payload: Decodable, Sendable {
        var to: String
        var subject: String
        var text: String
        var html: String?
        var replyTo: String?
        var from: String?

        enum CodingKeys: String, CodingKey {
            case to, subject, text, html, from
            case replyTo = "reply_to"
        }
    }

    struct Result: Encodable {
        var providerMessageId: String
        var transport: String

        enum CodingKeys: String, CodingKey {
            case providerMessageId = "provider_message_id"
            case transport
        }
    }

    public var provider: String? { "email" }

    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] {
        [RateLimitKey(name: "email:recipient", value: payload.to.lowercased())]
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        guard payload.to.contains("@") else {
            throw JobFailure.permanent("email.send: recipient '\(payload.to)' is not an email address")
        }
        let message = EmailMessage(
            from: payload.from ?? defaultFrom,
            to: [payload.to],
            replyTo: payload.replyTo,
            subject: payload.subject,
            text: payload.text,
            html: payload.html,
            headers: ["Message-ID": "<job-\(job.id)@banquet.local>"]
        )
        do {
            let receipt = try await transport.send(message)
            context.logger.info("email sent", metadata: ["transport": "\(receipt.transport)", "message_id": "\(receipt.providerMessageID)"])
            return try JobResult.encoding(Result(providerMessageId: receipt.providerMessageID, transport: receipt.transport))
        } catch let error as EmailError {
            if case .api(_, _, true, let retryAfter) = error { throw JobFailure.retryable(error.description, retryAfter: retryAfter) }
            throw error.isRetryable ? JobFailure.retryable(error.description) : JobFailure.permanent(error.description)
        }
    }
}
