import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

/// `/functions/v1/email-events`: the email API's delivery webhooks (Resend, delivered through
/// Svix: `svix-id`, `svix-timestamp`, `svix-signature`, 5-minute tolerance).
///
/// The event is stored once by its `svix-id` (a redelivery carries the same id), then
/// `email.delivered`, `email.bounced` and `email.complained` go to `public.record_email_event`
/// by `data.email_id`; other event types (sent, opened, clicked, delayed) are stored as ignored.
public struct EmailEventsWebhook: EdgeFunction {
    public let name = "email-events"
    let secret: String?
    let ingest: WebhookIngest
    let logger: Logger
    let bodyLimit: Int

    public init(secret: String?, database: EdgeDatabase, logger: Logger, bodyLimit: Int = 256 * 1024) {
        self.secret = secret
        self.ingest = WebhookIngest(database: database)
        self.logger = logger
        self.bodyLimit = bodyLimit
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard request.method == .post else { return EdgeFailure.badRequest("POST a signed event").response }
        do {
            guard let secret else { throw EdgeFailure.unavailable("the email-events webhook has no signing secret configured") }
            let body = try await EdgeResponse.rawBody(request, limit: bodyLimit)
            let id = request.headers[HTTPField.Name("svix-id")!]
            do {
                try WebhookSignature.verifySvix(body: body, id: id, timestamp: request.headers[HTTPField.Name("svix-timestamp")!],
                                                signature: request.headers[HTTPField.Name("svix-signature")!], secret: secret)
            } catch {
                logger.warning("edge: webhook signature refused", metadata: ["function": "\(name)", "reason": "\(error)"])
                throw EdgeFailure.unauthorized("invalid signature")
            }
            let event = try JSONValue.parse(body)
            guard let id, let type = event["type"]?.string, let data = event["data"] else {
                throw EdgeFailure.badRequest("not an email event: type and data are required")
            }
            let summary = try await ingest.record([Self.event(id: id, type: type, data: data, payload: event)], function: name, logger: logger)
            return EdgeResponse.json(summary.json)
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    static func event(id: String, type: String, data: JSONValue, payload: JSONValue) -> WebhookEvent {
        WebhookEvent(provider: "email", eventID: id, payload: payload, account: nil) { connection, _, logger in
            let kind: String
            switch type {
            case "email.delivered": kind = "delivered"
            case "email.bounced": kind = "bounced"
            case "email.complained": kind = "complained"
            default: return .ignored("event type \(type) is not acted on")
            }
            guard let emailID = data["email_id"]?.string else { return .ignored("no data.email_id") }
            let recipients = data["to"]?.array.compactMap(\.string) ?? []
            let detail = data["bounce"]?["message"]?.string ?? data["bounce"]?["type"]?.string
            let rows = try await connection.query("""
                select public.record_email_event(\(emailID), \(kind), \(recipients), \(detail))
                """, logger: logger)
            for try await touched in rows.decode(Int.self) where touched == 0 {
                return .ignored("no notification or message sent as \(emailID)")
            }
            return .processed
        }
    }
}
