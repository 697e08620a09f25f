import BridgeRuntime
import Connectors
import Foundation

/// `instagram.send`: a direct message in a conversation, or a private reply to a comment.
///
/// Payload: `{"account": ig-user id, "text", "to"?: IGSID, "comment_id"?, "tag"?: "HUMAN_AGENT",
/// "message_id"?, "comment_reply_id"?}`. The 24-hour and 7-day rules are enforced when the message
/// is written (SQL refuses it with BQ501 after 7 days; between 24 hours and 7 days it is enqueued
/// with the HUMAN_AGENT tag); Instagram's own refusal (code 10, "outside of allowed window") is
/// permanent here. At-least-once, as WhatsApp: no idempotency key exists.
public struct InstagramSendHandler: JobHandler {
    public static let kind = "instagram.send"
    public static let accountLimit = "instagram:account"

    let client: any InstagramClient

    public init(client: any InstagramClient) {
        self.client = client
    }

    public struct Payload: Decodable, Sendable {
        var account: String
        var text: String
        var to: String?
        var commentId: String?
        var tag: String?

        enum CodingKeys: String, CodingKey {
            case account, text, to, tag
            case commentId = "comment_id"
        }
    }

    struct Result: Encodable {
        var providerMessageId: String
        var transport: String
        enum CodingKeys: String, CodingKey { case providerMessageId = "provider_message_id", transport }
    }

    public var provider: String? { "instagram" }

    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] {
        [RateLimitKey(name: Self.accountLimit, value: payload.account)]
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let recipient: InstagramMessage.Recipient
        if let comment = payload.commentId {
            recipient = .comment(comment)
        } else if let to = payload.to, !to.isEmpty {
            recipient = .user(to)
        } else {
            throw JobFailure.permanent("instagram.send: the payload names neither a recipient (to) nor a comment (comment_id)")
        }
        if let tag = payload.tag, tag != "HUMAN_AGENT" {
            throw JobFailure.permanent("instagram.send: only the HUMAN_AGENT tag is supported, got '\(tag)'")
        }
        guard !payload.text.isEmpty else { throw JobFailure.permanent("instagram.send: empty text") }
        do {
            let receipt = try await client.send(InstagramMessage(accountID: payload.account, recipient: recipient, text: payload.text, tag: payload.tag))
            context.logger.info("instagram message sent", metadata: ["mode": "\(receipt.mode)", "mid": "\(receipt.messageID)"])
            return try JobResult.encoding(Result(providerMessageId: receipt.messageID, transport: receipt.mode))
        } catch let error as InstagramError {
            if error.retryable { throw JobFailure.retryable(error.description, retryAfter: error.retryAfter) }
            throw JobFailure.permanent(error.description)
        }
    }
}
