import BridgeRuntime
import Connectors
import Foundation

/// `whatsapp.media_fetch`: downloads an inbound message's media through the Media API into the
/// media store; the write-back (`app.whatsapp_media_writeback`) records path, size and digest on
/// the message. Payload (from `public.attach_inbound_media`): `{"message_id", "media_id",
/// "account", "mime_type"?}`. Media URLs expire after a few minutes, so each attempt looks the URL
/// up again.
public struct WhatsAppMediaFetchHandler: JobHandler {
    public static let kind = "whatsapp.media_fetch"

    let client: any WhatsAppClient
    let store: any InboundMediaStore

    public init(client: any WhatsAppClient, store: any InboundMediaStore) {
        self.client = client
        self.store = store
    }

    public struct Payload: Decodable, Sendable {
        var messageId: String
        var mediaId: String
        enum CodingKeys: String, CodingKey { case messageId = "message_id", mediaId = "media_id" }
    }

    public var provider: String? { "whatsapp" }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        do {
            let media = try await client.downloadMedia(mediaID: payload.mediaId)
            let stored = try await store.store(media, mediaID: payload.mediaId)
            context.logger.info("whatsapp media stored", metadata: ["media_id": "\(payload.mediaId)", "bytes": "\(stored.size)", "store": "\(store.mode)"])
            return try JobResult.encoding(stored)
        } catch let error as WhatsAppError {
            if case .retryable(let retryAfter) = error.kind { throw JobFailure.retryable(error.description, retryAfter: retryAfter) }
            throw JobFailure.permanent(error.description)
        }
    }
}
