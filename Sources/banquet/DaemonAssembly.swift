import BanquetCore
import BridgeRuntime
import ConnectorKit
import Connectors
import Foundation
import Gateway
import JobKinds
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Builds the daemon from configuration, in one place: which connectors, which job handlers,
/// which services, for which `--role`. Reading this file tells you everything `banquet serve` runs.
struct DaemonAssembly {
    let environment: BanquetCore.Environment
    let role: GatewayRole
    let logger = Logger(label: "banquet")

    func run() async throws {
        let databaseURL = try environment.databaseURL()
        let httpHost = environment.string("BANQUET_HTTP_HOST", default: "127.0.0.1")
        let httpPort = try environment.int("BANQUET_HTTP_PORT", default: 54321)

        // 1. Metrics: every swift-metrics Counter/Timer in the runtime lands in this registry,
        //    which /metrics renders.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        // 2. The database pool for claims, write-backs, health checks and (later) RPC.
        var bridgeConfiguration = try BridgeConfiguration.fromEnvironment(environment)
        bridgeConfiguration.role = role.rawValue
        let poolSize = try environment.int("BANQUET_DB_POOL_SIZE", default: 20)
        let client = PostgresClient(configuration: databaseURL.clientConfiguration(maxConnections: poolSize, applicationName: "banquet-serve"), backgroundLogger: logger)

        var services: [any Service] = [client]
        var bridge: BridgeService?
        var described: Logger.Metadata = ["role": "\(role.rawValue)", "database": "\(databaseURL)"]

        // 2b. Storage bytes, for /storage/v1 and for the jobs that read uploads (menu.extract):
        //     a local directory, or S3 over its own transport (large bodies).
        let storage = try ObjectStoreConfiguration.fromEnvironment(environment)
        let storageTransport = storage.needsHTTPTransport ? AsyncHTTPTransport(maxResponseBytes: 64 << 20, logger: logger) : nil
        let objectStore = try storage.makeStore(transport: storageTransport)
        if let storageTransport { services.append(HTTPTransportService(transport: storageTransport)) }
        described["storage"] = "\(objectStore.description)"
        logger.info("storage backend", metadata: ["storage": "\(objectStore.description)"])

        // 3. The job runtime, for the roles that run jobs: connectors and the handlers that use them.
        if role.runsJobs {
            let emailConfiguration = try EmailConfiguration.fromEnvironment(environment)
            let email = makeEmailTransport(configuration: emailConfiguration, logger: logger)
            // As many connections per host as jobs run at once, so no job waits inside the client.
            let http = AsyncHTTPTransport(connectionsPerHost: max(8, bridgeConfiguration.maxConcurrency), logger: logger)
            var handlers = JobHandlerRegistry()
            handlers.registerBuiltins()
            handlers.register(HTTPPostHandler.kind, handler: HTTPPostHandler(transport: http))
            handlers.register(EmailSendHandler.kind, handler: EmailSendHandler(transport: email, defaultFrom: emailConfiguration.from))
            for kind in MaintenanceHandler.kinds {
                handlers.register(kind, handler: MaintenanceHandler())
            }
            described["llm"] = "\(try registerAIHandlers(&handlers, http: http, client: client, storage: objectStore))"
            let runtime = BridgeService(client: client, listenURL: databaseURL, registry: handlers, configuration: bridgeConfiguration, logger: logger)
            // Services stop in reverse order: the HTTP server first, then the bridge drains, then
            // the HTTP client its jobs used closes, then the pool.
            services.append(HTTPTransportService(transport: http))
            services.append(runtime)
            bridge = runtime
            described["email"] = "\(emailConfiguration.describe())"
            described["worker"] = "\(bridgeConfiguration.workerID)"
            described["kinds"] = "\(handlers.kinds.joined(separator: ","))"
        }

        // 4. HTTP: every role answers health and metrics; client routes depend on the role.
        var api: ClientAPI?
        if role.servesClientRoutes {
            let issuer = await TokenIssuer(secret: try JWTSecret.load(environment))
            api = ClientAPI(client: client, issuer: issuer, session: RequestSession(client: client, configuration: .init(environment)), environment: environment, logger: logger)
            api?.objectStore = objectStore
        }
        let gateway = try Gateway(
            configuration: .init(host: httpHost, port: httpPort, version: BanquetVersion.current, role: role),
            client: client,
            status: bridge.map(BridgeStatusAdapter.init(bridge:)),
            registry: registry,
            api: api,
            logger: logger
        )
        let app = try gateway.buildApplication(services: services) { [logger, described] (port: Int) in
            var metadata = described
            metadata["url"] = "http://localhost:\(port)"
            metadata["health"] = "http://localhost:\(port)/health/all"
            logger.info("banquet serving", metadata: metadata)
        }
        try await app.runService()
    }
}

/// Adapts the bridge's status to what `/health/all` shows.
struct BridgeStatusAdapter: DaemonStatusProvider {
    let bridge: BridgeService

    func listenStatus() async -> ListenStatus {
        let status = await bridge.status
        return ListenStatus(connected: status.listenConnected, reconnects: status.listenReconnects, channel: BridgeService.channel,
                            workerID: status.workerID, inFlightJobs: status.inFlight, kinds: status.kinds)
    }
}

enum BanquetVersion {
    static let current = "0.2.0"
}
