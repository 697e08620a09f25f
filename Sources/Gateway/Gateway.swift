import BanquetCore
import EdgeFunctions
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The HTTP side of `banquet serve`, assembled in one place.
///
/// Today: health, metrics and the edge-function mount (`/functions/v1/<name>`). The
/// PostgREST-compatible `/rest/v1/rpc` and `/auth/v1` mount on the same router, for the roles
/// that serve client routes (`GatewayRole.servesClientRoutes`).
public struct Gateway: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var version: String
        public var role: GatewayRole

        public init(host: String = "127.0.0.1", port: Int = 54321, version: String = "dev", role: GatewayRole = .all) {
            self.host = host
            self.port = port
            self.version = version
            self.role = role
        }
    }

    public let configuration: Configuration
    let client: PostgresClient
    let status: (any DaemonStatusProvider)?
    let registry: PrometheusCollectorRegistry
    let edgeFunctions: EdgeFunctions
    let api: ClientAPI?
    let rest: RESTRoutes?
    let realtime: RealtimeEndpoint?
    let logger: Logger

    /// `api` is nil for roles that serve no client routes (`--role worker`).
    public init(configuration: Configuration, client: PostgresClient, status: (any DaemonStatusProvider)?, registry: PrometheusCollectorRegistry,
                edgeFunctions: EdgeFunctions = EdgeFunctions(), api: ClientAPI? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.api = api
        self.rest = try api.map(RESTRoutes.init(api:))
        self.realtime = try api.map(RealtimeEndpoint.init(api:))
        self.edgeFunctions = edgeFunctions
        self.client = client
        self.status = status
        self.registry = registry
        self.logger = logger
    }

    public func buildRouter() throws -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let environment = api?.environment ?? BanquetCore.Environment()
        router.add(middleware: AccessLogMiddleware(trustProxy: (try? environment.bool("BANQUET_TRUST_PROXY", default: false)) ?? false))
        if configuration.role.servesClientRoutes {
            router.add(middleware: GatewayCORSMiddleware(environment))
        }
        var health = HealthRoutes(client: client, status: status, role: configuration.role, startedAt: Date(), version: configuration.version, logger: logger)
        if let realtime { health.realtime = { realtime.health() } }
        health.register(on: router)
        MetricsRoute(registry: registry).register(on: router)
        if configuration.role.servesClientRoutes {
            edgeFunctions.mount(on: router)
            if let rest {
                rest.register(on: router)
            }
            if let api {
                try AuthRoutes(api: api).register(on: router)
                try StorageRoutes(api: api).register(on: router)
                ProposalPages(api: api).register(on: router)
                try ConsoleRoutes(api: api).register(on: router)
            }
            realtime?.register(on: router)
        }
        return router
    }

    /// The Hummingbird application; `services` run in its ServiceGroup, which owns SIGTERM/SIGINT
    /// handling and shuts everything down gracefully in reverse order.
    public func buildApplication(services: [any Service], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        // The schema cache's listener and the realtime change feed start before the server and stop after it.
        var background: [any Service] = try rest.map { [try $0.cacheService()] } ?? []
        if let realtime { background.append(realtime.feedService()) }
        // HTTP/1 with WebSocket upgrade: only /realtime/v1/websocket upgrades; every other request is the router's.
        return Application(
            router: try buildRouter(),
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 1 << 20))) { [realtime] request, _, _ in
                await realtime?.shouldUpgrade(request) ?? .dontUpgrade
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "banquet"),
            services: services + background,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
