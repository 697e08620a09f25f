import BanquetCore
import ConnectorKit
import Foundation

/// Which Instagram client the daemon uses, from the environment:
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_INSTAGRAM_TRANSPORT` | `offline` (outbox files) or `graph` | `offline` |
/// | `INSTAGRAM_ACCESS_TOKEN` | token (required for `graph`) | — |
/// | `INSTAGRAM_GRAPH_URL` | API base | `https://graph.instagram.com` |
/// | `INSTAGRAM_GRAPH_VERSION` | version path segment | `v21.0` |
/// | `INSTAGRAM_TIMEOUT_SECONDS` | per request | `15` |
/// | `BANQUET_INSTAGRAM_OUTBOX` | where `offline` writes | `<BANQUET_DATA_DIR>/outbox/instagram` |
/// | `INSTAGRAM_APP_SECRET`, `INSTAGRAM_VERIFY_TOKEN` | webhook signature key and handshake token | — (webhook answers 503) |
public struct InstagramConfiguration: Sendable {
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

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> InstagramConfiguration {
        let name = env.string("BANQUET_INSTAGRAM_TRANSPORT", default: Transport.offline.rawValue).lowercased()
        guard let transport = Transport(rawValue: name) else {
            throw BanquetError.configuration("BANQUET_INSTAGRAM_TRANSPORT must be one of \(Transport.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        let token = env.optionalString("INSTAGRAM_ACCESS_TOKEN")
        if transport == .graph, token == nil {
            throw BanquetError.configuration("BANQUET_INSTAGRAM_TRANSPORT=graph needs INSTAGRAM_ACCESS_TOKEN")
        }
        let rawURL = env.string("INSTAGRAM_GRAPH_URL", default: "https://graph.instagram.com")
        guard let url = URL(string: rawURL), url.scheme == "https" || url.scheme == "http" else {
            throw BanquetError.configuration("INSTAGRAM_GRAPH_URL must be an http(s) URL, got '\(rawURL)'")
        }
        return InstagramConfiguration(
            transport: transport, accessToken: token, graphURL: url,
            graphVersion: env.string("INSTAGRAM_GRAPH_VERSION", default: "v21.0"),
            timeout: .seconds(try env.int("INSTAGRAM_TIMEOUT_SECONDS", default: 15)),
            outbox: URL(fileURLWithPath: env.optionalString("BANQUET_INSTAGRAM_OUTBOX") ?? env.dataDirectory + "/outbox/instagram"),
            appSecret: env.optionalString("INSTAGRAM_APP_SECRET"),
            verifyToken: env.optionalString("INSTAGRAM_VERIFY_TOKEN"))
    }

    public func makeClient(transport http: any HTTPTransport) -> any InstagramClient {
        switch transport {
        case .graph: GraphInstagramClient(baseURL: graphURL, version: graphVersion, accessToken: accessToken ?? "", timeout: timeout, transport: http)
        case .offline: OfflineInstagramClient(directory: outbox)
        }
    }

    public func describe() -> String {
        switch transport {
        case .graph: "graph (\(Redaction.url(graphURL)) \(graphVersion))"
        case .offline: "offline (outbox \(outbox.path))"
        }
    }
}
