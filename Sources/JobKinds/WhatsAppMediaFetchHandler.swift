import BridgeRuntime
import Connectors
import Foundation

/// `whatsapp.media_fetch`: downloads an inbound message's media through the Media API into the
/// `message-media` bucket of the daemon's object store; the write-back
/// (`app.whatsapp_media_writeback`) inserts the `storage.objects` row and records bucket, path,
/// size and digest on the message. Payload (from `public.attach_inbound_media`): `{"message_id",
/// "media_id", "account", "mime_type"?, "organization_id", "conversation_id", "wamid"?}`. Media
/// URLs expire after a few minutes, so each attempt looks the URL up again.
public struct WhatsAppMediaFetchHandler: JobHandler {
    public static let kind = "whatsapp.media_fetch"

    let client: any WhatsAppClient
    let storage: InboundMediaStorage

    public init(client: any WhatsAppClient, storage: InboundMediaStorage) {
        self.client = client
        self.storage = storage
    }

    public struct Payload: Decodable, Sendable {
        var messageId: String
        var mediaId: String
        var organizationId: String?
        var conversationId: String?
        var wamid: String?
        enum CodingKeys: String, CodingKey {
            case messageId = "message_id", mediaId = "media_id", organizationId = "organization_id", conversationId = "conversation_id", wamid
        }
    }

    public var provider: String? { "whatsapp" }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        // Jobs enqueued before the bucket existed name no folder; they cannot be placed where RLS reads.
        guard let organization = payload.organizationId, let conversation = payload.conversationId else {
            throw JobFailure.permanent("media \(payload.mediaId): payload has no organization_id/conversation_id (enqueued before message-media); re-deliver the webhook")
        }
        do {
            let media = try await client.downloadMedia(mediaID: payload.mediaId)
            guard let key = InboundMediaStorage.key(organizationID: organization, conversationID: conversation,
                                                    name: payload.wamid ?? payload.mediaId, mimeType: media.mimeType)
                ?? InboundMediaStorage.key(organizationID: organization, conversationID: conversation, name: payload.mediaId, mimeType: media.mimeType)
            else {
                throw JobFailure.permanent("media \(payload.mediaId): no usable object key from organization \(organization), conversation \(conversation)")
            }
            let stored = try await storage.store(media, key: key)
            context.logger.info("whatsapp media stored", metadata: [
                "media_id": "\(payload.mediaId)", "object": "\(stored.bucket)/\(stored.path)", "bytes": "\(stored.size)", "store": "\(storage.mode)"])
            return try JobResult.encoding(stored)
        } catch let error as WhatsAppError {
            if case .retryable(let retryAfter) = error.kind { throw JobFailure.retryable(error.description, retryAfter: retryAfter) }
            throw JobFailure.permanent(error.description)
        }
    }
}
