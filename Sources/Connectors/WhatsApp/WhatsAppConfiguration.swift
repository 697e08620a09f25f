import BanquetCore
import ConnectorKit
import Foundation

/// Which WhatsApp client the daemon uses: the Meta Graph settings under the `WHATSAPP` prefix
/// (`MetaGraphSettings` lists the variables), Graph API base `https://graph.facebook.com`.
public struct WhatsAppConfiguration: Sendable {
    public var graph: MetaGraphSettings

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> WhatsAppConfiguration {
        WhatsAppConfiguration(graph: try .fromEnvironment(env, prefix: "WHATSAPP", defaultGraphURL: "https://graph.facebook.com"))
    }

    public func makeClient(transport http: any HTTPTransport) -> any WhatsAppClient {
        switch graph.transport {
        case .graph: GraphWhatsAppClient(baseURL: graph.graphURL, version: graph.graphVersion, accessToken: graph.accessToken ?? "", timeout: graph.timeout, transport: http)
        case .offline: OfflineWhatsAppClient(directory: graph.outbox)
        }
    }

    public func describe() -> String { graph.describe() }
}
