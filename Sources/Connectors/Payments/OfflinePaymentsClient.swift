import ConnectorKit
import Foundation

/// The offline payment provider (the `make run` default): a session is a JSON file in the outbox
/// directory, and its URL is the daemon's own sandbox pay page (`/functions/v1/payments-sandbox`),
/// whose "Pay" button posts a signed `checkout.session.completed` to the real webhook path.
/// Nothing leaves the machine, and no money moves.
public struct OfflinePaymentsClient: PaymentsClient {
    public let mode = "offline"
    public let directory: URL
    let publicURL: String

    public init(directory: URL, publicURL: String) {
        self.directory = directory
        self.publicURL = publicURL
    }

    public func createCheckoutSession(_ request: CheckoutRequest, idempotencyKey: String) async throws -> CheckoutSession {
        // Like Stripe's idempotency: the same key returns the session it created first.
        let keyFile = directory.appendingPathComponent("key-\(idempotencyKey.filter { $0.isLetter || $0.isNumber || $0 == "-" }).json")
        if let data = try? Data(contentsOf: keyFile), let existing = try? JSONDecoder().decode(OfflineCheckoutSession.self, from: data) {
            return existing.session
        }
        let id = "cs_offline_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let session = CheckoutSession(id: id, url: "\(publicURL)/functions/v1/payments-sandbox?session=\(id)",
                                      expiresAt: Int64(Date().timeIntervalSince1970) + 86_400)
        let record = OfflineCheckoutSession(session: session, paymentID: request.paymentID, bookingID: request.bookingID, kind: request.kind,
                                            amountMinor: request.amountMinor, currency: request.currency, description: request.description)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(record)
            try data.write(to: directory.appendingPathComponent("\(id).json"), options: .atomic)
            try data.write(to: keyFile, options: .atomic)
        } catch {
            throw ConnectorError.retryable("offline payments outbox \(directory.path) not writable: \(error)")
        }
        return session
    }
}

/// A sandbox session as the offline client stores it and the sandbox pay page reads it.
public struct OfflineCheckoutSession: Codable, Sendable {
    public var session: CheckoutSession
    public var paymentID: String
    public var bookingID: String
    public var kind: String
    public var amountMinor: Int64
    public var currency: String
    public var description: String
}
