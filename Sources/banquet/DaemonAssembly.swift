import BanquetCore
import BridgeRuntime
import ConnectorKit
import Connectors
import EdgeFunctions
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
        for (name, limit) in WhatsAppSendHandler.defaultRateLimits where bridgeConfiguration.rateLimits[name] == nil {
            bridgeConfiguration.rateLimits[name] = limit
        }
        let whatsappConfiguration = try WhatsAppConfiguration.fromEnvironment(environment)
        let publicURL = environment.optionalString("BANQUET_PUBLIC_URL") ?? "http://localhost:\(httpPort)"
        let paymentsConfiguration = try PaymentsConfiguration.fromEnvironment(environment, publicURL: publicURL)
        let fxConfiguration = try FXConfiguration.fromEnvironment(environment)
        let instagramConfiguration = try InstagramConfiguration.fromEnvironment(environment)
        let poolSize = try environment.int("BANQUET_DB_POOL_SIZE", default: 20)
        let client = PostgresClient(configuration: databaseURL.clientConfiguration(maxConnections: poolSize, applicationName: "banquet-serve"), backgroundLogger: logger)

        var services: [any Service] = [client]
        var bridge: BridgeService?
        var described: Logger.Metadata = ["role": "\(role.rawValue)", "database": "\(databaseURL)"]
        var connectorModes: [String: String] = [:]

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
            // As many connections per host as jobs run at once, so no job waits inside the client.
            let http = AsyncHTTPTransport(connectionsPerHost: max(8, bridgeConfiguration.maxConcurrency), logger: logger)
            let email = makeEmailTransport(configuration: emailConfiguration, http: http, logger: logger)
            var handlers = JobHandlerRegistry()
            handlers.registerBuiltins()
            handlers.register(HTTPPostHandler.kind, handler: HTTPPostHandler(transport: http))
            let emailTemplates = try environment.optionalString("BANQUET_EMAIL_TEMPLATES_DIR").map { try EmailTemplates(directory: URL(fileURLWithPath: $0)) }
                ?? EmailTemplates.bundled()
            handlers.register(EmailSendHandler.kind, handler: EmailSendHandler(transport: email, defaultFrom: emailConfiguration.from, templates: emailTemplates))
            let whatsapp = whatsappConfiguration.makeClient(transport: http)
            handlers.register(WhatsAppSendHandler.kind, handler: WhatsAppSendHandler(client: whatsapp))
            handlers.register(WhatsAppTemplatesSyncHandler.kind, handler: WhatsAppTemplatesSyncHandler(client: whatsapp))
            // Media downloads get their own transport: its response cap is the bucket's file limit,
            // where every other call keeps the 4 MiB default.
            let mediaHTTP = AsyncHTTPTransport(connectionsPerHost: max(8, bridgeConfiguration.maxConcurrency),
                                               maxResponseBytes: InboundMediaStorage.maxBytes, logger: logger)
            handlers.register(WhatsAppMediaFetchHandler.kind, handler: WhatsAppMediaFetchHandler(
                client: whatsappConfiguration.makeClient(transport: mediaHTTP), storage: InboundMediaStorage(store: objectStore)))
            handlers.register(PaymentCheckoutHandler.kind, handler: PaymentCheckoutHandler(client: paymentsConfiguration.makeClient(transport: http)))
            handlers.register(FXSyncHandler.kind, handler: FXSyncHandler(source: fxConfiguration.makeSource(transport: http), staleBusinessDays: fxConfiguration.staleBusinessDays))
            handlers.register(InstagramSendHandler.kind, handler: InstagramSendHandler(client: instagramConfiguration.makeClient(transport: http)))
            for kind in MaintenanceHandler.kinds {
                handlers.register(kind, handler: MaintenanceHandler())
            }
            described["llm"] = "\(try registerAIHandlers(&handlers, http: http, client: client, storage: objectStore))"
            let runtime = BridgeService(client: client, listenURL: databaseURL, registry: handlers, configuration: bridgeConfiguration, logger: logger)
            // Services stop in reverse order: the HTTP server first, then the bridge drains, then
            // the HTTP client its jobs used closes, then the pool.
            services.append(HTTPTransportService(transport: http))
            services.append(HTTPTransportService(transport: mediaHTTP))
            services.append(runtime)
            bridge = runtime
            described["email"] = "\(emailConfiguration.describe())"
            described["whatsapp"] = "\(whatsappConfiguration.describe())"
            described["payments"] = "\(paymentsConfiguration.describe())"
            described["fx"] = "\(fxConfiguration.describe())"
            described["instagram"] = "\(instagramConfiguration.describe())"
            connectorModes = ["email": emailConfiguration.describe(), "whatsapp": whatsappConfiguration.describe(), "instagram": instagramConfiguration.describe(),
                              "payments": paymentsConfiguration.describe(), "fx": fxConfiguration.describe()]
            described["worker"] = "\(bridgeConfiguration.workerID)"
            described["kinds"] = "\(handlers.kinds.joined(separator: ","))"
        }

        // 4. HTTP: every role answers health and metrics; client routes depend on the role.
        var api: ClientAPI?
        if role.servesClientRoutes {
            let issuer = await TokenIssuer(secret: try JWTSecret.load(environment))
            var sessionConfiguration = RequestSession.Configuration(environment)
            sessionConfiguration.publicURL = publicURL
            api = ClientAPI(client: client, issuer: issuer, session: RequestSession(client: client, configuration: sessionConfiguration), environment: environment, logger: logger)
            api?.objectStore = objectStore
        }
        // 5. Edge functions: signed provider webhooks, recorded through the write-back functions.
        let edgeDatabase = EdgeDatabase(client: client)
        let paymentsWebhook = PaymentsWebhook(secret: paymentsConfiguration.webhookSecret, database: edgeDatabase, logger: logger)
        var edgeFunctionList: [any EdgeFunction] = [
            WhatsAppWebhook(gate: MetaWebhookGate(appSecret: whatsappConfiguration.graph.appSecret, verifyToken: whatsappConfiguration.graph.verifyToken),
                            database: edgeDatabase, logger: logger),
            InstagramWebhook(gate: MetaWebhookGate(appSecret: instagramConfiguration.graph.appSecret, verifyToken: instagramConfiguration.graph.verifyToken),
                             database: edgeDatabase, logger: logger),
            paymentsWebhook,
            EmailEventsWebhook(secret: environment.optionalString("RESEND_WEBHOOK_SECRET"), database: edgeDatabase, logger: logger),
            InquiryForm(database: edgeDatabase, trustProxy: try environment.bool("BANQUET_TRUST_PROXY", default: false), logger: logger),
            CalendarFeed(database: edgeDatabase, logger: logger),
        ]
        if paymentsConfiguration.transport == .offline, let secret = paymentsConfiguration.webhookSecret {
            edgeFunctionList.append(PaymentsSandbox(webhook: paymentsWebhook, secret: secret, sessions: paymentsConfiguration.outbox, logger: logger))
        }
        let edgeFunctions = EdgeFunctions(edgeFunctionList)
        let gateway = try Gateway(
            configuration: .init(host: httpHost, port: httpPort, version: BanquetVersion.current, role: role),
            client: client,
            status: bridge.map { BridgeStatusAdapter(bridge: $0, connectors: connectorModes) },
            registry: registry,
            edgeFunctions: edgeFunctions,
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
    let connectors: [String: String]

    func listenStatus() async -> ListenStatus {
        let status = await bridge.status
        return ListenStatus(connected: status.listenConnected, reconnects: status.listenReconnects, channel: BridgeService.channel,
                            workerID: status.workerID, inFlightJobs: status.inFlight, kinds: status.kinds,
                            connectors: connectors)
    }
}

enum BanquetVersion {
    static let current = "0.2.0"
}
