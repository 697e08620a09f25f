import BanquetCore
import Foundation
import Hummingbird
import Logging

/// `/functions/v1/payments-sandbox`: the offline payment provider's hosted page, served only
/// when payments run offline. GET `?session=cs_offline_…` shows the instalment and a Pay button;
/// POST `session=…` builds the `checkout.session.completed` event a real provider would send,
/// signs it with the webhook secret and hands it to the payments webhook — the same signature
/// check, the same idempotent recording, the same booking confirmation.
public struct PaymentsSandbox: EdgeFunction {
    public let name = "payments-sandbox"
    let webhook: PaymentsWebhook
    let secret: String
    /// Where `OfflinePaymentsClient` writes `<session id>.json`.
    let sessions: URL
    let logger: Logger

    public init(webhook: PaymentsWebhook, secret: String, sessions: URL, logger: Logger) {
        self.webhook = webhook
        self.secret = secret
        self.sessions = sessions
        self.logger = logger
    }

    /// The fields of a session file the page needs (written by `OfflinePaymentsClient`).
    struct Session: Decodable {
        struct Inner: Decodable { var id: String }
        var session: Inner
        var paymentID: String
        var bookingID: String
        var kind: String
        var amountMinor: Int64
        var currency: String
        var description: String
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            if request.method == .get {
                let query = request.uri.queryParameters
                if let result = query["result"] {
                    return page("Sandbox payment \(escape(String(result)))", "<p>This was the offline sandbox: no money moved.</p>")
                }
                let session = try load(query["session"].map(String.init))
                return page("Pay \(escape(session.description))", """
                    <p><strong>\(escape(amountText(session)))</strong> — offline sandbox, no money moves.</p>
                    <form method="post"><input type="hidden" name="session" value="\(escape(session.session.id))">
                    <button type="submit">Pay (sandbox)</button></form>
                    """)
            }
            let form = try await EdgeResponse.rawBody(request, limit: 4096)
            let fields = URLComponents(string: "?" + String(decoding: form, as: UTF8.self))?.queryItems ?? []
            let session = try load(fields.first { $0.name == "session" }?.value)
            let event = completedEvent(session)
            let body = Array(event.jsonText.utf8)
            let signature = WebhookSignature.stripeHeader(body: body, secret: secret, timestamp: Int(Date().timeIntervalSince1970))
            let summary = try await webhook.receive(body: body, signature: signature)
            logger.info("payments sandbox: paid", metadata: ["session": "\(session.session.id)", "payment_id": "\(session.paymentID)"])
            if request.headers[.accept]?.contains("application/json") == true {
                return EdgeResponse.json(summary.json)
            }
            return Response(status: .seeOther, headers: [.location: "?result=paid&session=\(session.session.id)"])
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    private func load(_ id: String?) throws -> Session {
        guard let id, id.hasPrefix("cs_offline_"), id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw EdgeFailure.badRequest("name a sandbox session: ?session=cs_offline_…")
        }
        guard let data = try? Data(contentsOf: sessions.appendingPathComponent("\(id).json")),
              let session = try? JSONDecoder().decode(Session.self, from: data) else {
            throw EdgeFailure.notFound("no sandbox session \(id)")
        }
        return session
    }

    /// Shaped like Stripe's event: what the webhook reads is what a real delivery carries.
    private func completedEvent(_ session: Session) -> JSONValue {
        let metadata: JSONValue = .object(["payment_id": .string(session.paymentID), "booking_id": .string(session.bookingID), "kind": .string(session.kind)])
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return .object([
            "id": .string("evt_offline_\(suffix)"),
            "object": .string("event"),
            "type": .string("checkout.session.completed"),
            "created": .number(Date().timeIntervalSince1970.rounded()),
            "livemode": .bool(false),
            "data": .object(["object": .object([
                "id": .string(session.session.id),
                "object": .string("checkout.session"),
                "payment_status": .string("paid"),
                "status": .string("complete"),
                "amount_total": .number(Double(session.amountMinor)),
                "currency": .string(session.currency.lowercased()),
                "client_reference_id": .string(session.paymentID),
                // One PaymentIntent per session, so paying twice is one payment.
                "payment_intent": .string("pi_offline_\(session.session.id.dropFirst("cs_offline_".count))"),
                "metadata": metadata,
            ])]),
        ])
    }

    private func amountText(_ session: Session) -> String {
        // ISO 4217 exponents (JPY has none), as the guest's page and the emails print money.
        Money(minor: session.amountMinor, currency: session.currency).description
    }

    private func page(_ title: String, _ body: String) -> Response {
        EdgeResponse.text("<!doctype html><meta charset=utf-8><title>\(title)</title><h1>\(title)</h1>\(body)", contentType: "text/html; charset=utf-8")
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
