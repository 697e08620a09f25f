import BridgeRuntime
import Connectors
import Foundation

/// `whatsapp.templates_sync`: lists a WhatsApp Business Account's templates with Meta's approval
/// status; the write-back (`app.whatsapp_templates_sync_writeback`) applies them, so only
/// templates Meta approved can be sent outside the 24-hour window.
///
/// Payload (from the daily fan-out): `{"account": phone-number id, "business_account_id": WABA id}`.
public struct WhatsAppTemplatesSyncHandler: JobHandler {
    public static let kind = "whatsapp.templates_sync"

    let client: any WhatsAppClient

    public init(client: any WhatsAppClient) {
        self.client = client
    }

    public struct Payload: Decodable, Sendable {
        var account: String
        var businessAccountId: String
        enum CodingKeys: String, CodingKey { case account, businessAccountId = "business_account_id" }
    }

    struct Result: Encodable {
        var account: String
        var templates: [WhatsAppTemplate]
        var transport: String
    }

    public var provider: String? { "whatsapp" }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        do {
            let templates = try await client.messageTemplates(businessAccountID: payload.businessAccountId)
            context.logger.info("whatsapp templates synced", metadata: ["mode": "\(client.mode)", "templates": "\(templates.count)"])
            return try JobResult.encoding(Result(account: payload.account, templates: templates, transport: client.mode))
        } catch let error as WhatsAppError {
            if case .retryable(let retryAfter) = error.kind { throw JobFailure.retryable(error.description, retryAfter: retryAfter) }
            throw JobFailure.permanent(error.description)
        }
    }
}
