import BanquetCore
import ConnectorKit
import Foundation

/// Which WhatsApp client the daemon uses, from the environment:
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_WHATSAPP_TRANSPORT` | `offline` (outbox files) or `graph` (Cloud API) | `offline` |
/// | `WHATSAPP_ACCESS_TOKEN` | system-user token (required for `graph`) | — |
/// | `WHATSAPP_GRAPH_URL` | Graph API base | `https://graph.facebook.com` |
/// | `WHATSAPP_GRAPH_VERSION` | API version path segment | `v21.0` |
/// | `WHATSAPP_TIMEOUT_SECONDS` | per request | `15` |
/// | `BANQUET_WHATSAPP_OUTBOX` | where `offline` writes | `<BANQUET_DATA_DIR>/outbox/whatsapp` |
/// | `WHATSAPP_APP_SECRET`, `WHATSAPP_VERIFY_TOKEN` | webhook signature key and handshake token | — (webhook answers 503) |
public struct WhatsAppConfiguration: Sendable {
    public enum Transport: String, Sendable, CaseIterable {
        case offline
        case graph
    }

    public var transport: Transport
    public var accessToken: String?
    public var graphURL: URL
    public var graphVersion: String
    public var timeout: Duration
    public var outbox: URL
    public var appSecret: String?
    public var verifyToken: String?

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> WhatsAppConfiguration {
        let name = env.string("BANQUET_WHATSAPP_TRANSPORT", default: Transport.offline.rawValue).lowercased()
        guard let transport = Transport(rawValue: name) else {
            throw BanquetError.configuration("BANQUET_WHATSAPP_TRANSPORT must be one of \(Transport.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        let token = env.optionalString("WHATSAPP_ACCESS_TOKEN")
        if transport == .graph, token == nil {
            throw BanquetError.configuration("BANQUET_WHATSAPP_TRANSPORT=graph needs WHATSAPP_ACCESS_TOKEN")
        }
        let rawURL = env.string("WHATSAPP_GRAPH_URL", default: "https://graph.facebook.com")
        guard let url = URL(string: rawURL), url.scheme == "https" || url.scheme == "http" else {
            throw BanquetError.configuration("WHATSAPP_GRAPH_URL must be an http(s) URL, got '\(rawURL)'")
        }
        return WhatsAppConfiguration(
            transport: transport, accessToken: token, graphURL: url,
            graphVersion: env.string("WHATSAPP_GRAPH_VERSION", default: "v21.0"),
            timeout: .seconds(try env.int("WHATSAPP_TIMEOUT_SECONDS", default: 15)),
            outbox: URL(fileURLWithPath: env.optionalString("BANQUET_WHATSAPP_OUTBOX") ?? env.dataDirectory + "/outbox/whatsapp"),
            appSecret: env.optionalString("WHATSAPP_APP_SECRET"),
            verifyToken: env.optionalString("WHATSAPP_VERIFY_TOKEN"))
    }

    public func makeClient(transport http: any HTTPTransport) -> any WhatsAppClient {
        switch transport {
        case .graph: GraphWhatsAppClient(baseURL: graphURL, version: graphVersion, accessToken: accessToken ?? "", timeout: timeout, transport: http)
        case .offline: OfflineWhatsAppClient(directory: outbox)
        }
    }

    /// One line for the startup log and /health; never the token.
    public func describe() -> String {
        switch transport {
        case .graph: "graph (\(Redaction.url(graphURL)) \(graphVersion))"
        case .offline: "offline (outbox \(outbox.path))"
        }
    }
}
