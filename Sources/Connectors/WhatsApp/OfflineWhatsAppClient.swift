import Foundation

/// The offline WhatsApp "provider" (the `make run` default): each message is written as the JSON
/// request the Cloud API would have received to `<outbox>/<wamid>.json`, and a made-up wamid is
/// returned. Nothing leaves the machine; the files show what would have been sent.
public struct OfflineWhatsAppClient: WhatsAppClient {
    public let mode = "offline"
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: WhatsAppMessage) async throws -> WhatsAppReceipt {
        let id = "wamid.offline.\(UUID().uuidString.lowercased())"
        let record = OfflineRecord(phoneNumberID: message.phoneNumberID, request: GraphMessageBody(message), wamid: id)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(record).write(to: directory.appendingPathComponent("\(id).json"), options: .atomic)
        } catch {
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "offline outbox \(directory.path) not writable: \(error)")
        }
        return WhatsAppReceipt(messageID: id, mode: mode)
    }

    /// Offline there is no Meta to ask: no template changes status.
    public func messageTemplates(businessAccountID: String) async throws -> [WhatsAppTemplate] {
        []
    }

    /// Offline no media exists at Meta to download.
    public func downloadMedia(mediaID: String) async throws -> WhatsAppMedia {
        throw WhatsAppError(kind: .permanent, code: nil, reason: "the offline WhatsApp client cannot download media \(mediaID); set BANQUET_WHATSAPP_TRANSPORT=graph")
    }

    struct OfflineRecord: Encodable {
        var phoneNumberID: String
        var request: GraphMessageBody
        var wamid: String
        enum CodingKeys: String, CodingKey { case phoneNumberID = "phone_number_id", request, wamid }
    }
}
