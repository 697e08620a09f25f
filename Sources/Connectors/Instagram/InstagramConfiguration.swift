import BanquetCore
import ConnectorKit
import Foundation

/// Which Instagram client the daemon uses: the Meta Graph settings under the `INSTAGRAM` prefix
/// (`MetaGraphSettings` lists the variables), Graph API base `https://graph.instagram.com`.
public struct InstagramConfiguration: Sendable {
    public var graph: MetaGraphSettings

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> InstagramConfiguration {
        InstagramConfiguration(graph: try .fromEnvironment(env, prefix: "INSTAGRAM", defaultGraphURL: "https://graph.instagram.com"))
    }

    public func makeClient(transport http: any HTTPTransport) -> any InstagramClient {
        switch graph.transport {
        case .graph: GraphInstagramClient(baseURL: graph.graphURL, version: graph.graphVersion, accessToken: graph.accessToken ?? "", timeout: graph.timeout, transport: http)
        case .offline: OfflineInstagramClient(directory: graph.outbox)
        }
    }

    public func describe() -> String { graph.describe() }
}
