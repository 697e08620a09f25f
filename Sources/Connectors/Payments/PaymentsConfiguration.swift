import BanquetCore
import ConnectorKit
import Foundation

/// Which payment provider the daemon uses, from the environment:
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_PAYMENTS_TRANSPORT` | `offline` (sandbox pay page) or `stripe` | `offline` |
/// | `STRIPE_SECRET_KEY` | API key (required for `stripe`) | — |
/// | `STRIPE_API_URL` | API base (any Stripe-compatible server) | `https://api.stripe.com` |
/// | `PAYMENTS_WEBHOOK_SECRET` | endpoint signing secret for `Stripe-Signature` | `offline`: a fixed sandbox secret; `stripe`: required |
/// | `PAYMENTS_SUCCESS_URL`, `PAYMENTS_CANCEL_URL` | where the guest lands after paying | the sandbox page's result view |
/// | `PAYMENTS_TIMEOUT_SECONDS` | per request | `20` |
/// | `BANQUET_PAYMENTS_OUTBOX` | where `offline` keeps sessions | `<BANQUET_DATA_DIR>/outbox/payments` |
public struct PaymentsConfiguration: Sendable {
    public enum Transport: String, Sendable, CaseIterable {
        case offline
        case stripe
    }

    /// Signs the sandbox's webhook in offline mode; never valid against a real provider.
    public static let offlineWebhookSecret = "whsec_offline_sandbox_only"

    public var transport: Transport
    public var secretKey: String?
    public var apiURL: URL
    public var webhookSecret: String?
    public var successURL: String
    public var cancelURL: String
    public var timeout: Duration
    public var outbox: URL
    public var publicURL: String

    public static func fromEnvironment(_ env: BanquetCore.Environment, publicURL: String) throws -> PaymentsConfiguration {
        let name = env.string("BANQUET_PAYMENTS_TRANSPORT", default: Transport.offline.rawValue).lowercased()
        guard let transport = Transport(rawValue: name) else {
            throw BanquetError.configuration("BANQUET_PAYMENTS_TRANSPORT must be one of \(Transport.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        let key = env.optionalString("STRIPE_SECRET_KEY")
        var secret = env.optionalString("PAYMENTS_WEBHOOK_SECRET")
        if transport == .stripe {
            guard key != nil else { throw BanquetError.configuration("BANQUET_PAYMENTS_TRANSPORT=stripe needs STRIPE_SECRET_KEY") }
            guard secret != nil else { throw BanquetError.configuration("BANQUET_PAYMENTS_TRANSPORT=stripe needs PAYMENTS_WEBHOOK_SECRET (the endpoint's whsec_… secret)") }
        } else if secret == nil {
            secret = offlineWebhookSecret
        }
        let rawURL = env.string("STRIPE_API_URL", default: "https://api.stripe.com")
        guard let url = URL(string: rawURL), url.scheme == "https" || url.scheme == "http" else {
            throw BanquetError.configuration("STRIPE_API_URL must be an http(s) URL, got '\(rawURL)'")
        }
        let sandbox = "\(publicURL)/functions/v1/payments-sandbox"
        return PaymentsConfiguration(
            transport: transport, secretKey: key, apiURL: url, webhookSecret: secret,
            successURL: env.string("PAYMENTS_SUCCESS_URL", default: "\(sandbox)?result=paid"),
            cancelURL: env.string("PAYMENTS_CANCEL_URL", default: "\(sandbox)?result=cancelled"),
            timeout: .seconds(try env.int("PAYMENTS_TIMEOUT_SECONDS", default: 20)),
            outbox: URL(fileURLWithPath: env.optionalString("BANQUET_PAYMENTS_OUTBOX") ?? env.dataDirectory + "/outbox/payments"),
            publicURL: publicURL)
    }

    public func makeClient(transport http: any HTTPTransport) -> any PaymentsClient {
        switch transport {
        case .stripe: StripePaymentsClient(baseURL: apiURL, secretKey: secretKey ?? "", successURL: successURL, cancelURL: cancelURL, timeout: timeout, transport: http)
        case .offline: OfflinePaymentsClient(directory: outbox, publicURL: publicURL)
        }
    }

    public func describe() -> String {
        switch transport {
        case .stripe: "stripe (\(Redaction.url(apiURL)))"
        case .offline: "offline (sandbox pay page \(publicURL)/functions/v1/payments-sandbox)"
        }
    }
}
