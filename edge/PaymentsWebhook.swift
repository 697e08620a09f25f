import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

/// `/functions/v1/payments`: the payment provider's webhook (Stripe's event format and
/// `Stripe-Signature`, stripe.com/docs/webhooks).
///
/// Each event is stored once by its event id (`ingest_webhook_event('payments', evt_…)`); a
/// redelivery is acknowledged and changes nothing. Events that move money go through
/// `public.record_payment_event`, itself idempotent by provider reference, so the
/// `checkout.session.completed` and `payment_intent.succeeded` of one payment (both carrying the
/// PaymentIntent id) record it once:
/// - `checkout.session.completed` (paid) and `payment_intent.succeeded` → the instalment named in
///   `metadata.payment_id` is paid (a deposit confirms its booking);
/// - `charge.refunded` → a refund of the latest refund's amount, referenced by the refund id.
/// Other event types are stored and marked ignored.
public struct PaymentsWebhook: EdgeFunction {
    public let name = "payments"
    let secret: String?
    let ingest: WebhookIngest
    let logger: Logger
    let bodyLimit: Int
    let tolerance: TimeInterval

    public init(secret: String?, database: EdgeDatabase, logger: Logger, bodyLimit: Int = 256 * 1024, tolerance: TimeInterval = 300) {
        self.secret = secret
        self.ingest = WebhookIngest(database: database)
        self.logger = logger
        self.bodyLimit = bodyLimit
        self.tolerance = tolerance
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard request.method == .post else { return EdgeFailure.badRequest("POST a signed event").response }
        do {
            let body = try await EdgeResponse.rawBody(request, limit: bodyLimit)
            let summary = try await receive(body: body, signature: request.headers[HTTPField.Name("Stripe-Signature")!])
            return EdgeResponse.json(summary.json)
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    /// Verifies and records one delivery; the sandbox pay page calls this with its own signed body.
    func receive(body: [UInt8], signature: String?) async throws -> WebhookIngest.Summary {
        guard let secret else { throw EdgeFailure.unavailable("the payments webhook has no signing secret configured") }
        do {
            try WebhookSignature.verifyStripe(body: body, header: signature, secret: secret, tolerance: tolerance)
        } catch {
            logger.warning("edge: webhook signature refused", metadata: ["function": "\(name)", "reason": "\(error)"])
            throw EdgeFailure.unauthorized("invalid signature")
        }
        let event = try JSONValue.parse(body)
        guard let id = event["id"]?.string, let type = event["type"]?.string, let object = event["data"]?["object"] else {
            throw EdgeFailure.badRequest("not an event: id, type and data.object are required")
        }
        return try await ingest.record([Self.event(id: id, type: type, object: object, payload: event)], function: name, logger: logger)
    }

    static func event(id: String, type: String, object: JSONValue, payload: JSONValue) -> WebhookEvent {
        let paymentID = object["metadata"]?["payment_id"]?.string ?? object["client_reference_id"]?.string
        return WebhookEvent(provider: "payments", eventID: id, payload: payload, account: nil, organization: { connection, logger in
            guard let paymentID, UUID(uuidString: paymentID) != nil else { return nil }
            return try await connection.paymentOrganization(paymentID, logger: logger)
        }) { connection, organization, logger in
            guard let paymentID, organization != nil else { return .ignored("no payment named in metadata.payment_id") }
            switch type {
            case "checkout.session.completed":
                guard object["payment_status"]?.string == "paid" else { return .ignored("session not paid (payment_status \(object["payment_status"]?.string ?? "?"))") }
                guard let amount = object["amount_total"]?.int else { return .ignored("session without amount_total") }
                let reference = object["payment_intent"]?.string ?? object["id"]?.string ?? id
                try await connection.recordPaymentEvent(paymentID: paymentID, kind: nil, amount: amount, reference: reference, logger: logger)
            case "payment_intent.succeeded":
                guard let amount = object["amount_received"]?.int ?? object["amount"]?.int, let reference = object["id"]?.string else {
                    return .ignored("payment intent without id or amount")
                }
                try await connection.recordPaymentEvent(paymentID: paymentID, kind: nil, amount: amount, reference: reference, logger: logger)
            case "charge.refunded":
                let refund = object["refunds"]?["data"]?.array.first
                guard let amount = refund?["amount"]?.int ?? object["amount_refunded"]?.int else { return .ignored("refund without an amount") }
                let reference = refund?["id"]?.string ?? "\(object["id"]?.string ?? id):refund:\(amount)"
                try await connection.recordPaymentEvent(paymentID: paymentID, kind: "refund", amount: amount, reference: reference, logger: logger)
            default:
                return .ignored("event type \(type) is not acted on")
            }
            return .processed
        }
    }
}

extension PostgresConnection {
    func paymentOrganization(_ paymentID: String, logger: Logger) async throws -> String? {
        let rows = try await query("select p.organization_id::text from app.payments p where p.id = \(paymentID)::uuid", logger: logger)
        for try await organization in rows.decode(String.self) { return organization }
        return nil
    }

    /// Records money received (or refunded) against the instalment's booking; `kind` nil means
    /// the instalment's own kind (deposit or balance).
    func recordPaymentEvent(paymentID: String, kind: String?, amount: Int, reference: String, logger: Logger) async throws {
        try await query("""
            select public.record_payment_event(p.booking_id, coalesce(\(kind), p.kind), \(Int64(amount)), \(reference), 'card')
            from app.payments p where p.id = \(paymentID)::uuid
            """, logger: logger)
    }
}
