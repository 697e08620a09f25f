import BanquetCore
import BridgeRuntime
import Connectors
import Foundation
import Gateway
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Builds the daemon from configuration, in one place: which connectors, which job handlers,
/// which services. Reading this file tells you everything `banquet serve` runs.
struct DaemonAssembly {
    let environment: BanquetCore.Environment
    let logger: Logger

    init(environment: BanquetCore.Environment) {
        self.environment = environment
        self.logger = Logger(label: "banquet")
    }

    func run() async throws {
        let databaseURL = try environment.databaseURL()
        let httpHost = environment.string("BANQUET_HTTP_HOST", default: "127.0.0.1")
        let httpPort = try environment.int("BANQUET_HTTP_PORT", default: 54321)

        // 1. Metrics: every swift-metrics Counter/Timer in the runtime lands in this registry,
        //    which /metrics renders.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        // 2. The database pool for claims, write-backs and health checks.
        let bridgeConfiguration = try BridgeConfiguration.fromEnvironment(environment)
        let poolSize = try environment.int("BANQUET_DB_POOL_SIZE", default: 20)
        let client = PostgresClient(configuration: databaseURL.clientConfiguration(maxConnections: poolSize, applicationName: "banquet-serve"), backgroundLogger: logger)

        // 3. Connectors and the job handlers that use them.
        let emailConfiguration = try EmailConfiguration.fromEnvironment(environment)
        let email = makeEmailTransport(configuration: emailConfiguration, logger: logger)
        var handlers = JobHandlerRegistry()
        handlers.registerBuiltins()
        handlers.register("email.send", handler: EmailSendHandler(transport: email, defaultFrom: emailConfiguration.from))
        // Maintenance kinds fired by SQL schedules do their work in the kind's SQL write-back
        // (expire proposals, enqueue reminders); the daemon only has to complete them.
        for kind in ["proposal.expire", "payment.remind"] {
            handlers.register(kind, handler: NoopHandler())
        }

        // 4. Services: the pool first and the bridge next, so on shutdown (reverse order) the
        //    HTTP server stops first, then the bridge drains, then the pool closes.
        let bridge = BridgeService(client: client, listenURL: databaseURL, registry: handlers, configuration: bridgeConfiguration, logger: logger)
        let gateway = Gateway(
            configuration: .init(host: httpHost, port: httpPort, version: BanquetVersion.current),
            client: client,
            status: BridgeStatusAdapter(bridge: bridge),
            registry: registry,
            logger: logger
        )
        let emailDescription = emailConfiguration.describe()
        let app = gateway.buildApplication(services: [client, bridge]) { [logger] (port: Int) in
            logger.info("banquet serving", metadata: [
                "url": "http://localhost:\(port)",
                "health": "http://localhost:\(port)/health/all",
                "database": "\(databaseURL)",
                "email": "\(emailDescription)",
                "worker": "\(bridgeConfiguration.workerID)",
            ])
        }
        try await app.runService()
    }
}

/// Adapts the bridge's status to what `/health/all` shows.
struct BridgeStatusAdapter: DaemonStatusProvider {
    let bridge: BridgeService

    func listenStatus() async -> ListenStatus {
        let status = await bridge.status
        return ListenStatus(connected: status.listenConnected, reconnects: status.listenReconnects, channel: "bridge_jobs", workerID: status.workerID, inFlightJobs: status.inFlight)
    }
}

enum BanquetVersion {
    static let current = "0.1.0"
}
