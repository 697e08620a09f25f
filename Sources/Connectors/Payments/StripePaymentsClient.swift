import ConnectorKit
import Foundation
import NIOHTTP1

/// A Stripe-compatible API: `POST {base}/v1/checkout/sessions`, form-encoded, `Authorization:
/// Bearer <secret key>`, `Idempotency-Key` (stripe.com/docs/api/checkout/sessions/create,
/// stripe.com/docs/api/idempotent_requests). Failures follow ConnectorKit's reading of the status
/// (429 and 5xx retryable with `Retry-After`, 401/403 unauthorized, other 4xx permanent), except
/// that Stripe's own `Stripe-Should-Retry` header, when present, decides.
public struct StripePaymentsClient: PaymentsClient {
    public let mode = "stripe"
    let baseURL: URL
    let secretKey: String
    let successURL: String
    let cancelURL: String
    let timeout: Duration
    let client: HTTPJSONClient

    public init(baseURL: URL, secretKey: String, successURL: String, cancelURL: String, timeout: Duration, transport: any HTTPTransport) {
        self.baseURL = baseURL
        self.secretKey = secretKey
        self.successURL = successURL
        self.cancelURL = cancelURL
        self.timeout = timeout
        self.client = HTTPJSONClient(transport: transport)
    }

    public func createCheckoutSession(_ request: CheckoutRequest, idempotencyKey: String) async throws -> CheckoutSession {
        var fields: [(String, String)] = [
            ("mode", "payment"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", request.currency.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(request.amountMinor)),
            ("line_items[0][price_data][product_data][name]", request.description),
            ("success_url", successURL),
            ("cancel_url", cancelURL),
            ("client_reference_id", request.paymentID),
            ("metadata[payment_id]", request.paymentID),
            ("metadata[booking_id]", request.bookingID),
            ("metadata[kind]", request.kind),
            // Copied onto the PaymentIntent and its charges, so payment_intent.* and charge.*
            // events name our payment too.
            ("payment_intent_data[metadata][payment_id]", request.paymentID),
            ("payment_intent_data[metadata][booking_id]", request.bookingID),
            ("payment_intent_data[metadata][kind]", request.kind),
        ]
        if let email = request.customerEmail, !email.isEmpty { fields.append(("customer_email", email)) }
        let url = baseURL.appendingPathComponent("v1").appendingPathComponent("checkout").appendingPathComponent("sessions")
        let spec = HTTPRequestSpec(method: .POST, url: url, headers: [
            "Authorization": "Bearer \(secretKey)",
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": idempotencyKey,
            "Accept": "application/json",
        ], body: Array(FormEncoding.encode(fields).utf8), timeout: timeout)
        let response = try await client.transport.send(spec)
        guard (200..<300).contains(response.status) else {
            let error = ConnectorError.classify(status: response.status, headers: response.headers, body: response.body, request: spec.redactedDescription)
            switch response.headers.first(name: "Stripe-Should-Retry") {
            case "true" where !error.isRetryable: throw ConnectorError.retryable(error.message, retryAfter: nil)
            case "false" where error.isRetryable: throw ConnectorError.permanent(error.message)
            default: throw error
            }
        }
        guard let session = try? JSONDecoder().decode(StripeSession.self, from: Data(response.body)), let url = session.url else {
            throw ConnectorError.permanent("\(spec.redactedDescription) returned \(response.status) without a session id and url")
        }
        return CheckoutSession(id: session.id, url: url, expiresAt: session.expiresAt ?? Int64(Date().timeIntervalSince1970) + 86_400)
    }

    struct StripeSession: Decodable {
        var id: String
        var url: String?
        var expiresAt: Int64?
        enum CodingKeys: String, CodingKey { case id, url, expiresAt = "expires_at" }
    }
}
