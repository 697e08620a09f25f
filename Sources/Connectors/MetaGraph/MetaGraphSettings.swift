import BanquetCore
import ConnectorKit
import Foundation

/// The settings WhatsApp and Instagram share, both being Meta Graph API products, read from the
/// environment under the product's prefix (`WHATSAPP`, `INSTAGRAM`):
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_<P>_TRANSPORT` | `offline` (outbox files) or `graph` | `offline` |
/// | `<P>_ACCESS_TOKEN` | token (required for `graph`) | — |
/// | `<P>_GRAPH_URL` | Graph API base | per product |
/// | `<P>_GRAPH_VERSION` | API version path segment | `v21.0` |
/// | `<P>_TIMEOUT_SECONDS` | per request | `15` |
/// | `BANQUET_<P>_OUTBOX` | where `offline` writes | `<BANQUET_DATA_DIR>/outbox/<p>` |
/// | `<P>_APP_SECRET`, `<P>_VERIFY_TOKEN` | webhook signature key and handshake token | — (webhook answers 503) |
public struct MetaGraphSettings: Sendable {
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

    public static func fromEnvironment(_ env: BanquetCore.Environment, prefix: String, defaultGraphURL: String) throws -> MetaGraphSettings {
        let transportVariable = "BANQUET_\(prefix)_TRANSPORT"
        let name = env.string(transportVariable, default: Transport.offline.rawValue).lowercased()
        guard let transport = Transport(rawValue: name) else {
            throw BanquetError.configuration("\(transportVariable) must be one of \(Transport.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        let token = env.optionalString("\(prefix)_ACCESS_TOKEN")
        if transport == .graph, token == nil {
            throw BanquetError.configuration("\(transportVariable)=graph needs \(prefix)_ACCESS_TOKEN")
        }
        let rawURL = env.string("\(prefix)_GRAPH_URL", default: defaultGraphURL)
        guard let url = URL(string: rawURL), url.scheme == "https" || url.scheme == "http" else {
            throw BanquetError.configuration("\(prefix)_GRAPH_URL must be an http(s) URL, got '\(rawURL)'")
        }
        return MetaGraphSettings(
            transport: transport, accessToken: token, graphURL: url,
            graphVersion: env.string("\(prefix)_GRAPH_VERSION", default: "v21.0"),
            timeout: .seconds(try env.int("\(prefix)_TIMEOUT_SECONDS", default: 15)),
            outbox: URL(fileURLWithPath: env.optionalString("BANQUET_\(prefix)_OUTBOX") ?? env.dataDirectory + "/outbox/" + prefix.lowercased()),
            appSecret: env.optionalString("\(prefix)_APP_SECRET"),
            verifyToken: env.optionalString("\(prefix)_VERIFY_TOKEN"))
    }

    /// One line for the startup log and /health; never the token.
    public func describe() -> String {
        switch transport {
        case .graph: "graph (\(Redaction.url(graphURL)) \(graphVersion))"
        case .offline: "offline (outbox \(outbox.path))"
        }
    }
}
