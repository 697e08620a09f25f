import Foundation

/// Creates hosted checkout pages for booking payments. Implementations: `StripePaymentsClient`
/// (any Stripe-compatible API) and `OfflinePaymentsClient` (a sandbox pay page served by the
/// daemon itself, which drives the same signed webhook as the real provider).
public protocol PaymentsClient: Sendable {
    /// `stripe` or `offline`, for logs, results and /health.
    var mode: String { get }
    /// Creates one checkout session. `idempotencyKey` is stable across retries of the job, so the
    /// provider returns the first session instead of creating a second one. Throws `ConnectorError`.
    func createCheckoutSession(_ request: CheckoutRequest, idempotencyKey: String) async throws -> CheckoutSession
}

/// One instalment to collect.
public struct CheckoutRequest: Sendable, Equatable {
    /// Our payment's id: travels in the session's metadata and comes back on every webhook event.
    public var paymentID: String
    public var bookingID: String
    /// `deposit` or `balance`.
    public var kind: String
    public var amountMinor: Int64
    /// ISO 4217, upper case (`EUR`); sent lower case as Stripe expects.
    public var currency: String
    public var description: String
    public var customerEmail: String?

    public init(paymentID: String, bookingID: String, kind: String, amountMinor: Int64, currency: String, description: String, customerEmail: String?) {
        self.paymentID = paymentID
        self.bookingID = bookingID
        self.kind = kind
        self.amountMinor = amountMinor
        self.currency = currency
        self.description = description
        self.customerEmail = customerEmail
    }
}

/// A created session: where the guest pays.
public struct CheckoutSession: Sendable, Equatable, Codable {
    public var id: String
    public var url: String
    /// Unix seconds.
    public var expiresAt: Int64

    public init(id: String, url: String, expiresAt: Int64) {
        self.id = id
        self.url = url
        self.expiresAt = expiresAt
    }
}
