import BridgeRuntime
import Connectors
import Foundation

/// `whatsapp.send`: one message to a guest through the WhatsApp client; the wamid goes to the
/// kind's write-back (`app.channel_send_writeback`, which marks the message sent).
///
/// Payload (written by SQL triggers): `{"account": phone-number id, "to": E.164, "text"?,
/// "template"?, "language"?, "params"?: [..] | {"header","body","buttons"}, "reply_to"?: wamid,
/// "message_id"? | "proposal_id"?}`.
///
/// Failures, by Graph error code: throttling (130429, 131056, 131000, 4, 80007, 5xx) retries
/// honouring `Retry-After`; everything else is permanent and the message's error reads
/// `WhatsApp error <code>: <reason>`, which `app.channel_send_failed` turns into the right staff
/// notification (131047: send a template; 190: the channel account is flagged).
///
/// At-least-once: the Cloud API takes no idempotency key, so a send whose 200 was lost (timeout,
/// crash before the write-back) is sent again on retry.
public struct WhatsAppSendHandler: JobHandler {
    public static let kind = "whatsapp.send"
    /// Rate-limit key names (`BANQUET_RATE_LIMITS`): per sending number and per guest.
    public static let accountLimit = "whatsapp:account"
    public static let recipientLimit = "whatsapp:recipient"

    let client: any WhatsAppClient

    public init(client: any WhatsAppClient) {
        self.client = client
    }

    public struct Payload: Decodable, Sendable {
        var account: String
        var to: String
        var text: String?
        var template: String?
        var language: String?
        var params: WhatsAppTemplateComponents?
        var replyTo: String?

        enum CodingKeys: String, CodingKey {
            case account, to, text, template, language, params
            case replyTo = "reply_to"
        }
    }

    struct Result: Encodable {
        var providerMessageId: String
        var transport: String
        enum CodingKeys: String, CodingKey {
            case providerMessageId = "provider_message_id", transport
        }
    }

    public var provider: String? { "whatsapp" }

    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] {
        [RateLimitKey(name: Self.accountLimit, value: payload.account), RateLimitKey(name: Self.recipientLimit, value: payload.to)]
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let content: WhatsAppMessage.Content
        if let template = payload.template {
            content = .template(name: template, language: payload.language ?? "en", components: payload.params ?? WhatsAppTemplateComponents())
        } else if let text = payload.text, !text.isEmpty {
            content = .text(text)
        } else {
            throw JobFailure.permanent("whatsapp.send: the payload has neither text nor template")
        }
        guard payload.to.hasPrefix("+") || payload.to.allSatisfy(\.isNumber), !payload.to.isEmpty else {
            throw JobFailure.permanent("whatsapp.send: recipient '\(payload.to)' is not a phone number")
        }
        let message = WhatsAppMessage(phoneNumberID: payload.account, to: payload.to, content: content, replyTo: payload.replyTo)
        do {
            let receipt = try await client.send(message)
            context.logger.info("whatsapp message sent", metadata: ["mode": "\(receipt.mode)", "wamid": "\(receipt.messageID)"])
            return try JobResult.encoding(Result(providerMessageId: receipt.messageID, transport: receipt.mode))
        } catch let error as WhatsAppError {
            if case .retryable(let retryAfter) = error.kind {
                throw JobFailure.retryable(error.description, retryAfter: retryAfter)
            }
            throw JobFailure.permanent(error.description)
        }
    }
}

extension WhatsAppSendHandler {
    /// Meta's documented ceilings, applied unless `BANQUET_RATE_LIMITS` names these keys: about
    /// 80 messages/s per business number, and one message per 6 s to one guest (pair rate limit,
    /// error 131056 when exceeded).
    public static let defaultRateLimits: [String: RateLimit] = [
        accountLimit: RateLimit(count: 80, per: .seconds(1)),
        recipientLimit: RateLimit(count: 1, per: .seconds(6)),
    ]
}
