import BanquetCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// The job runtime: wakes on NOTIFY or the poll interval, claims batches per queue pool, runs
/// handlers with no transaction open, and reports each outcome through `bridge.complete`/`fail`.
///
/// Runs under swift-service-lifecycle. On graceful shutdown it stops claiming, lets in-flight jobs
/// finish within `shutdownGrace`, then cancels the rest and hands them back to the queue.
/// The `PostgresClient` must be running (its own service in the same group).
public final class BridgeService: Service, Sendable {
    let listener: PostgresListener
    let registry: JobHandlerRegistry
    let configuration: BridgeConfiguration
    let logger: Logger
    let store: JobStore
    let admin: JobAdmin
    let completions: CompletionBatcher
    let rateLimiter: RateLimiter
    let breaker: CircuitBreaker
    let doorbell = Doorbell()
    let state: NIOLockedValueBox<RuntimeState>

    /// The name of the pool serving every queue not configured on its own.
    static let wildcardPool = "*"

    public init(client: PostgresClient, listenURL: DatabaseURL, registry: JobHandlerRegistry, configuration: BridgeConfiguration, logger: Logger) {
        self.registry = registry
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker"] = .string(configuration.workerID)
        self.logger = logger
        self.listener = PostgresListener(url: listenURL, channels: [Self.channel], applicationName: "banquet-bridge-listen",
                                         backoffInitial: configuration.reconnectBackoffInitial,
                                         backoffMax: configuration.reconnectBackoffMax, logger: logger)
        self.store = JobStore(client: client, logger: logger)
        self.admin = JobAdmin(client: client, logger: logger)
        self.completions = CompletionBatcher(store: store, logger: logger)
        self.rateLimiter = RateLimiter(limits: configuration.rateLimits)
        self.breaker = CircuitBreaker(policy: configuration.circuitBreaker)
        self.state = NIOLockedValueBox(RuntimeState())
    }

    public var status: BridgeStatus {
        get async {
            let workerID = configuration.workerID
            return state.withLockedValue { state in
                BridgeStatus(workerID: workerID, listenConnected: state.listenConnected, listenReconnects: state.listenReconnects,
                             lastPollAt: state.lastPollAt, inFlight: state.inFlight.count, shuttingDown: state.shuttingDown,
                             kinds: registry.kinds)
            }
        }
    }

    /// Stop claiming and drain, as on SIGTERM. ServiceGroup calls this through graceful shutdown;
    /// tests and embedders that run the service directly call it themselves.
    public func shutdownGracefully() {
        let first = state.withLockedValue { state in
            defer { state.shuttingDown = true }
            return !state.shuttingDown
        }
        if first {
            logger.info("bridge: graceful shutdown requested, no new claims", metadata: ["in_flight": "\(state.withLockedValue { $0.inFlight.count })"])
            doorbell.ring()
        }
    }

    public func run() async throws {
        logger.info("bridge: starting", metadata: [
            "queues": "\(configuration.queues.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","))\(configuration.wildcardConcurrency.map { ",*=\($0)" } ?? "")",
            "kinds": "\(registry.kinds.joined(separator: ","))",
            "poll_interval": "\(configuration.pollInterval)",
        ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                background.addTask { await self.listenLoop() }
                background.addTask { await self.pollTicker() }
                background.addTask { await self.maintenanceLoop() }
                background.addTask { await self.heartbeatLoop() }
                background.addTask { await self.deadlineLoop() }
                await self.claimLoop()
                background.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutdownGracefully()
        }
        doorbell.finish()
        // Our kinds stop counting as handled at once, not 30 s from now.
        try? await store.workerGone(worker: configuration.workerID)
        logger.info("bridge: stopped")
    }
}

/// Mutable runtime state, behind one lock: every access is a few dictionary operations.
struct RuntimeState: Sendable {
    /// One claimed job, from claim until its outcome is recorded.
    struct InFlight: Sendable {
        var token: UUID
        var pool: String
        /// When this attempt times out (the kind's timeout_seconds from the claim).
        var deadline: ContinuousClock.Instant
        /// The handler's task, once it started: the runtime cancels it on timeout, lost lease or shutdown.
        var handler: Task<JobResult, any Error>?
        /// Why the runtime cancelled the handler, if it did; decides what the cancellation means.
        var stop: StopReason?
        /// The outcome is being written: the heartbeat no longer covers this job, so it can neither
        /// race the completion for the row lock nor mistake our own completion for a lost lease.
        var reporting = false
    }

    enum StopReason: Sendable {
        case timedOut
        case leaseLost
        case shutdown
    }

    var shuttingDown = false
    var listenConnected = false
    var listenReconnects = 0
    var lastPollAt: Date?
    var inFlight: [Int64: InFlight] = [:]
    var runningPerPool: [String: Int] = [:]
    /// Pools whose last claim came back full: freed slots should claim again.
    var backlog: Set<String> = []
    var knownQueues: Set<String> = []
    var knownQueuesAt: Date?
}
