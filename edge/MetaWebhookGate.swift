import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// What WhatsApp and Instagram webhooks share: Meta's subscription handshake and payload
/// signature (developers.facebook.com/docs/graph-api/webhooks/getting-started).
///
/// - GET `?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<n>` answers the challenge
///   as plain text; a wrong token is 403.
/// - POST carries `X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>`; anything
///   else is 401 before a byte is parsed or written.
public struct MetaWebhookGate: Sendable {
    public var appSecret: String?
    public var verifyToken: String?
    /// Meta batches up to 1,000 changes per delivery; a few MB is generous.
    public var bodyLimit: Int

    public init(appSecret: String?, verifyToken: String?, bodyLimit: Int = 1 << 20) {
        self.appSecret = appSecret
        self.verifyToken = verifyToken
        self.bodyLimit = bodyLimit
    }

    /// Answers the subscription handshake.
    public func challenge(_ request: Request, channel: String, logger: Logger) throws -> Response {
        guard let verifyToken else { throw EdgeFailure.unavailable("the \(channel) webhook has no verify token configured") }
        let query = request.uri.queryParameters
        let mode = query["hub.mode"].map(String.init)
        let token = query["hub.verify_token"].map(String.init)
        guard mode == "subscribe", let token, ConstantTime.equal(token, verifyToken) else {
            logger.warning("edge: webhook verification refused", metadata: ["function": "\(channel)", "mode": "\(mode ?? "")"])
            throw EdgeFailure.forbidden("verification failed")
        }
        return EdgeResponse.text(query["hub.challenge"].map(String.init) ?? "")
    }

    /// The raw body, once its signature is proven.
    public func verifiedBody(_ request: Request, channel: String, logger: Logger) async throws -> [UInt8] {
        guard let appSecret else { throw EdgeFailure.unavailable("the \(channel) webhook has no app secret configured") }
        let body = try await EdgeResponse.rawBody(request, limit: bodyLimit)
        do {
            try WebhookSignature.verifyHub(body: body, header: request.headers[HTTPField.Name("X-Hub-Signature-256")!], appSecret: appSecret)
        } catch {
            logger.warning("edge: webhook signature refused", metadata: ["function": "\(channel)", "reason": "\(error)"])
            throw EdgeFailure.unauthorized("invalid signature")
        }
        return body
    }
}
