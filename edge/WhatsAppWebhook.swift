import BanquetCore
import Hummingbird
import Logging
import PostgresNIO

/// `/functions/v1/whatsapp`: the WhatsApp Cloud API webhook.
///
/// A delivery (`object: whatsapp_business_account`) carries `entry[].changes[]` whose `value`
/// names the receiving number (`metadata.phone_number_id`) and holds inbound `messages` and the
/// `statuses` of messages we sent (developers.facebook.com/docs/whatsapp/cloud-api/webhooks).
/// Each inbound message is stored once by its wamid through `public.receive_message` (whose
/// trigger runs keyword automation or enqueues `llm.classify_message`); each status through
/// `public.record_message_status`, keyed `<wamid>:<status>` so a redelivered status is a no-op.
/// A `failed` status carries the Graph error (131047 when the 24-hour window had closed even
/// though the send returned 200); it becomes the message's error, in the form the send
/// handler uses, so the SQL side recognises the code either way.
public struct WhatsAppWebhook: EdgeFunction {
    public let name = "whatsapp"
    let gate: MetaWebhookGate
    let ingest: WebhookIngest
    let logger: Logger

    public init(gate: MetaWebhookGate, database: EdgeDatabase, logger: Logger) {
        self.gate = gate
        self.ingest = WebhookIngest(database: database)
        self.logger = logger
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            if request.method == .get { return try gate.challenge(request, channel: name, logger: logger) }
            let body = try await gate.verifiedBody(request, channel: name, logger: logger)
            let events = try Self.events(in: JSONValue.parse(body))
            let summary = try await ingest.record(events, function: name, logger: logger)
            return EdgeResponse.json(summary.json)
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    static func events(in delivery: JSONValue) throws -> [WebhookEvent] {
        guard delivery["object"]?.string == "whatsapp_business_account" else {
            throw EdgeFailure.badRequest("not a whatsapp_business_account delivery")
        }
        var events: [WebhookEvent] = []
        for entry in delivery["entry"]?.array ?? [] {
            for change in entry["changes"]?.array ?? [] where change["field"]?.string == "messages" {
                guard let value = change["value"], let phoneNumberID = value["metadata"]?["phone_number_id"]?.string else { continue }
                let names = Dictionary((value["contacts"]?.array ?? []).compactMap { contact -> (String, String)? in
                    guard let id = contact["wa_id"]?.string, let name = contact["profile"]?["name"]?.string else { return nil }
                    return (id, name)
                }, uniquingKeysWith: { first, _ in first })
                for message in value["messages"]?.array ?? [] {
                    guard let wamid = message["id"]?.string, let from = message["from"]?.string else { continue }
                    events.append(inbound(message, wamid: wamid, from: from, name: names[from], phoneNumberID: phoneNumberID))
                }
                for status in value["statuses"]?.array ?? [] {
                    guard let wamid = status["id"]?.string, let state = status["status"]?.string else { continue }
                    events.append(statusEvent(status, wamid: wamid, state: state, phoneNumberID: phoneNumberID))
                }
            }
        }
        return events
    }

    private static func inbound(_ message: JSONValue, wamid: String, from: String, name: String?, phoneNumberID: String) -> WebhookEvent {
        let body = text(of: message)
        let type = message["type"]?.string ?? "text"
        let mediaID = message[type]?["id"]?.string
        let mimeType = message[type]?["mime_type"]?.string
        return WebhookEvent(provider: "whatsapp", eventID: wamid, payload: message, account: ("whatsapp", phoneNumberID)) { connection, _, logger in
            let rows = try await connection.query("""
                select public.receive_message('whatsapp', \(phoneNumberID), \(from), \(body), \(wamid), \(name))::text
                """, logger: logger)
            var messageID: String?
            for try await id in rows.decode(String.self) { messageID = id }
            // Media is fetched by the daemon (whatsapp.media_fetch), not inside this transaction.
            if let mediaID, let messageID, mediaKinds.contains(type) {
                try await connection.query("""
                    select public.attach_inbound_media(\(messageID)::uuid, \(mediaID), \(type), \(mimeType))
                    """, logger: logger)
            }
            return .processed
        }
    }

    static let mediaKinds: Set<String> = ["image", "document", "video", "audio", "sticker"]

    /// The text a person would read: the body of a text, the caption of media (its media id is
    /// kept in the stored event), the title of a tapped button.
    static func text(of message: JSONValue) -> String {
        let type = message["type"]?.string ?? "text"
        switch type {
        case "text": return message["text"]?["body"]?.string ?? ""
        case "button": return message["button"]?["text"]?.string ?? ""
        case "interactive":
            return message["interactive"]?["button_reply"]?["title"]?.string ?? message["interactive"]?["list_reply"]?["title"]?.string ?? ""
        case "image", "document", "video", "audio", "sticker":
            return message[type]?["caption"]?.string ?? "[\(type)]"
        default: return "[\(type)]"
        }
    }

    private static func statusEvent(_ status: JSONValue, wamid: String, state: String, phoneNumberID: String) -> WebhookEvent {
        let error = status["errors"]?.array.first.map(MetaGraphError.describe)
        return WebhookEvent(provider: "whatsapp", eventID: "\(wamid):\(state)", payload: status, account: ("whatsapp", phoneNumberID)) { connection, _, logger in
            guard ["sent", "delivered", "read", "failed"].contains(state) else { return .ignored("status '\(state)' is not tracked") }
            // Applied now, or held for the send's write-back when the status overtook it
            // (migration 20261129012100); the write-back then marks this event processed.
            let rows = try await connection.query("""
                select public.record_webhook_message_status('whatsapp', \(wamid), \(state), \(error))
                """, logger: logger)
            var outcome = "applied"
            for try await value in rows.decode(String.self) { outcome = value }
            return outcome == "held" ? .ignored("no outbound message \(wamid) yet: held for its send's write-back") : .processed
        }
    }
}

/// The error text a Graph API error object becomes on a message: `WhatsApp error 131047:
/// Re-engagement message: <details>`. The send handler writes the same form, and the SQL
/// failure handling reads the code from it.
enum MetaGraphError {
    static func describe(_ error: JSONValue) -> String {
        var text = "WhatsApp error \(error["code"]?.string ?? "?")"
        if let title = error["title"]?.string ?? error["message"]?.string { text += ": \(title)" }
        if let details = error["error_data"]?["details"]?.string { text += ": \(details)" }
        return text
    }
}
