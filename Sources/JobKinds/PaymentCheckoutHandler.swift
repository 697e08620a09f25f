import BridgeRuntime
import ConnectorKit
import Connectors
import Foundation

/// `payment.checkout`: creates the checkout session for one scheduled deposit or balance; the
/// write-back (`app.payment_checkout_writeback`) puts its URL on the payment and emails it.
///
/// Payload (written by the payments trigger): `{"payment_id", "booking_id", "kind",
/// "amount_minor", "currency", "description", "email"?}`.
///
/// Exactly-once at the provider: the job's idempotency key (`job-<id>`, the same on every retry)
/// is the request's `Idempotency-Key`, so a retry after a lost answer gets the first session back.
public struct PaymentCheckoutHandler: JobHandler {
    public static let kind = "payment.checkout"

    let client: any PaymentsClient

    public init(client: any PaymentsClient) {
        self.client = client
    }

    public struct Payload: Decodable, Sendable {
        var paymentId: String
        var bookingId: String
        var kind: String
        var amountMinor: Int64
        var currency: String
        var description: String
        var email: String?

        enum CodingKeys: String, CodingKey {
            case paymentId = "payment_id", bookingId = "booking_id", kind, amountMinor = "amount_minor", currency, description, email
        }
    }

    struct Result: Encodable {
        var sessionId: String
        var url: String
        var expiresAt: Int64
        var transport: String
        enum CodingKeys: String, CodingKey { case sessionId = "session_id", url, expiresAt = "expires_at", transport }
    }

    public var provider: String? { "payments" }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        guard payload.amountMinor > 0 else { throw JobFailure.permanent("payment.checkout: amount_minor must be positive, got \(payload.amountMinor)") }
        let request = CheckoutRequest(paymentID: payload.paymentId, bookingID: payload.bookingId, kind: payload.kind, amountMinor: payload.amountMinor,
                                      currency: payload.currency, description: payload.description, customerEmail: payload.email)
        do {
            let session = try await client.createCheckoutSession(request, idempotencyKey: context.idempotencyKey)
            context.logger.info("checkout session created", metadata: ["mode": "\(client.mode)", "session": "\(session.id)"])
            return try JobResult.encoding(Result(sessionId: session.id, url: session.url, expiresAt: session.expiresAt, transport: client.mode))
        } catch let error as ConnectorError {
            throw JobFailure(error)
        }
    }
}
