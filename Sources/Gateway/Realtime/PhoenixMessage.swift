import BanquetCore
import Foundation

/// One Phoenix channels message as the supabase realtime client sends it (`vsn=1.0.0`, JSON
/// objects): `{"topic", "event", "payload", "ref", "join_ref"}`.
struct PhoenixMessage: Decodable, Sendable {
    let topic: String
    let event: String
    let payload: JSONValue?
    let ref: String?
    let joinRef: String?

    enum CodingKeys: String, CodingKey {
        case topic, event, payload, ref
        case joinRef = "join_ref"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        topic = try container.decode(String.self, forKey: .topic)
        event = try container.decode(String.self, forKey: .event)
        payload = try container.decodeIfPresent(JSONValue.self, forKey: .payload)
        // Refs are strings from this client; other Phoenix clients send numbers.
        ref = Self.reference(container, .ref)
        joinRef = Self.reference(container, .joinRef)
    }

    private static func reference(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? container.decodeIfPresent(Int.self, forKey: key) { return String(number) }
        return nil
    }

    /// The topic without the client's `realtime:` prefix, as Realtime names channels in system
    /// messages and authorization (`realtime.topic()`).
    var subTopic: String {
        topic.hasPrefix("realtime:") ? String(topic.dropFirst("realtime:".count)) : topic
    }
}

/// Server-to-client frames, written as text: every payload piece that is already JSON (a row read
/// with `to_jsonb`, a client's broadcast payload) is spliced in, not decoded and encoded again.
enum PhoenixFrame {
    /// `phx_reply` to a client push: `{"status": "ok"|"error", "response": …}`.
    static func reply(topic: String, ref: String?, joinRef: String?, ok: Bool, response: String = "{}") -> String {
        "{\"event\":\"phx_reply\",\"topic\":\(JSONText.quoted(topic)),\"ref\":\(reference(ref)),\"join_ref\":\(reference(joinRef)),"
            + "\"payload\":{\"status\":\"\(ok ? "ok" : "error")\",\"response\":\(response)}}"
    }

    /// A server push (`ref` null, as the client's message models require).
    static func push(topic: String, event: String, payload: String, joinRef: String? = nil) -> String {
        "{\"event\":\(JSONText.quoted(event)),\"topic\":\(JSONText.quoted(topic)),\"ref\":null,\"join_ref\":\(reference(joinRef)),\"payload\":\(payload)}"
    }

    /// A `system` message: `{"channel", "extension", "message", "status"}`. With status "error"
    /// the client marks the channel errored and reports CHANNEL_ERROR with this payload.
    static func system(topic: String, subTopic: String, extension: String, ok: Bool, message: String) -> String {
        push(topic: topic, event: "system", payload: "{\"channel\":\(JSONText.quoted(subTopic)),\"extension\":\(JSONText.quoted(`extension`)),"
            + "\"message\":\(JSONText.quoted(message)),\"status\":\"\(ok ? "ok" : "error")\"}")
    }

    /// `{"reason": …}`, the response of a refused push.
    static func reason(_ text: String) -> String {
        "{\"reason\":\(JSONText.quoted(text))}"
    }

    private static func reference(_ ref: String?) -> String {
        ref.map(JSONText.quoted) ?? "null"
    }
}
