import BanquetCore
import Hummingbird
import Logging
import PostgresNIO

/// `/functions/v1/instagram`: the Instagram webhook (`object: instagram`).
///
/// - `entry[].messaging[]` with a `message` is a direct message from a guest (echoes of our own
///   messages, `is_echo`, are skipped): stored once by its `mid` through `public.receive_message`,
///   which opens the 24-hour window and runs keyword automation.
/// - `entry[].changes[]` with `field: comments` is a comment on a post: stored once by comment id
///   and handed to `public.receive_instagram_comment` (comment-to-DM automation).
public struct InstagramWebhook: EdgeFunction {
    public let name = "instagram"
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
            let summary = try await ingest.record(try Self.events(in: JSONValue.parse(body)), function: name, logger: logger)
            return EdgeResponse.json(summary.json)
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    static func events(in delivery: JSONValue) throws -> [WebhookEvent] {
        guard delivery["object"]?.string == "instagram" else { throw EdgeFailure.badRequest("not an instagram delivery") }
        var events: [WebhookEvent] = []
        for entry in delivery["entry"]?.array ?? [] {
            guard let account = entry["id"]?.string else { continue }
            for item in entry["messaging"]?.array ?? [] {
                guard let message = item["message"], let mid = message["mid"]?.string, let sender = item["sender"]?["id"]?.string else { continue }
                if message["is_echo"] == .bool(true) { continue }
                let text = message["text"]?.string ?? "[attachment]"
                events.append(WebhookEvent(provider: "instagram", eventID: mid, payload: item, account: ("instagram", account)) { connection, _, logger in
                    try await connection.query("select public.receive_message('instagram', \(account), \(sender), \(text), \(mid))", logger: logger)
                    return .processed
                })
            }
            for change in entry["changes"]?.array ?? [] where change["field"]?.string == "comments" {
                guard let value = change["value"], let commentID = value["id"]?.string, let from = value["from"]?["id"]?.string,
                      let media = value["media"]?["id"]?.string else { continue }
                let text = value["text"]?.string ?? ""
                events.append(WebhookEvent(provider: "instagram", eventID: "comment:\(commentID)", payload: value, account: ("instagram", account)) { connection, _, logger in
                    try await connection.query("""
                        select public.receive_instagram_comment(\(account), \(commentID), \(media), \(from), \(text))
                        """, logger: logger)
                    return .processed
                })
            }
        }
        return events
    }
}
