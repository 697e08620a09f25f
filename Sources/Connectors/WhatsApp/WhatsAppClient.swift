import BanquetCore
import Foundation

/// Sends WhatsApp messages. Implementations: `GraphWhatsAppClient` (the Cloud API) and
/// `OfflineWhatsAppClient` (writes each request to an outbox directory; nothing leaves the machine).
public protocol WhatsAppClient: Sendable {
    /// `graph` or `offline`, for logs, results and /health.
    var mode: String { get }
    /// Sends one message from the number `phoneNumberID`. Throws `WhatsAppError`.
    func send(_ message: WhatsAppMessage) async throws -> WhatsAppReceipt
    /// The templates of a WhatsApp Business Account with Meta's approval status. Throws `WhatsAppError`.
    func messageTemplates(businessAccountID: String) async throws -> [WhatsAppTemplate]
    /// Downloads inbound media by its id (Media API: look up the URL, then fetch it with the
    /// token). Throws `WhatsAppError`.
    func downloadMedia(mediaID: String) async throws -> WhatsAppMedia
}

/// A downloaded media file.
public struct WhatsAppMedia: Sendable, Equatable {
    public var bytes: [UInt8]
    public var mimeType: String
    /// Meta's SHA-256 of the file (hex), when it gave one; checked against the bytes.
    public var sha256: String?

    public init(bytes: [UInt8], mimeType: String, sha256: String?) {
        self.bytes = bytes
        self.mimeType = mimeType
        self.sha256 = sha256
    }
}

/// A message template as the Business Management API lists it.
public struct WhatsAppTemplate: Sendable, Equatable, Codable {
    public var name: String
    public var language: String
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, …
    public var status: String
    /// The BODY component's text, with its `{{n}}` placeholders.
    public var body: String?

    public init(name: String, language: String, status: String, body: String?) {
        self.name = name
        self.language = language
        self.status = status
        self.body = body
    }
}

/// One outbound message, as the Cloud API's `/{phone-number-id}/messages` takes it.
public struct WhatsAppMessage: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case text(String)
        /// An approved template with its parameters per component.
        case template(name: String, language: String, components: WhatsAppTemplateComponents)
    }

    public var phoneNumberID: String
    /// The guest's number in E.164 (`+447700900123`).
    public var to: String
    public var content: Content
    /// The wamid this message replies to (shown quoted in the guest's app).
    public var replyTo: String?

    public init(phoneNumberID: String, to: String, content: Content, replyTo: String? = nil) {
        self.phoneNumberID = phoneNumberID
        self.to = to
        self.content = content
        self.replyTo = replyTo
    }
}

/// A template's parameters: header and body text parameters and URL/quick-reply button payloads.
public struct WhatsAppTemplateComponents: Sendable, Equatable, Decodable {
    public struct Button: Sendable, Equatable, Decodable {
        /// `url` or `quick_reply`.
        public var subType: String
        public var index: Int
        public var parameter: String

        enum CodingKeys: String, CodingKey {
            case subType = "sub_type", index, parameter
        }

        public init(subType: String, index: Int, parameter: String) {
            self.subType = subType
            self.index = index
            self.parameter = parameter
        }
    }

    public var header: [String]
    public var body: [String]
    public var buttons: [Button]

    public init(header: [String] = [], body: [String] = [], buttons: [Button] = []) {
        self.header = header
        self.body = body
        self.buttons = buttons
    }

    enum CodingKeys: String, CodingKey {
        case header, body, buttons
    }

    /// Either a plain array (the body's `{{1}}, {{2}}, …`, as SQL enqueues them) or
    /// `{"header": [...], "body": [...], "buttons": [{"sub_type", "index", "parameter"}]}`.
    public init(from decoder: any Decoder) throws {
        if let body = try? decoder.singleValueContainer().decode([String].self) {
            self.init(body: body)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(header: try container.decodeIfPresent([String].self, forKey: .header) ?? [],
                  body: try container.decodeIfPresent([String].self, forKey: .body) ?? [],
                  buttons: try container.decodeIfPresent([Button].self, forKey: .buttons) ?? [])
    }
}

/// What the provider returned for an accepted message.
public struct WhatsAppReceipt: Sendable, Equatable {
    /// The wamid: status webhooks refer to the message by it.
    public var messageID: String
    public var mode: String

    public init(messageID: String, mode: String) {
        self.messageID = messageID
        self.mode = mode
    }
}
