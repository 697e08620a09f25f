import BanquetCore
@testable import BridgeRuntime
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh migrated database, a running `PostgresClient` on it, and test job kinds whose
/// write-back and on-failure functions count into tables, so "exactly once" is counted by the
/// database itself.
final class BridgeHarness: Sendable {
    let db: TestDatabase
    let client: PostgresClient
    private let clientTask: Task<Void, Never>
    static let logger: Logger = {
        var logger = Logger(label: "banquet.tests.bridge")
        logger.logLevel = ProcessInfo.processInfo.environment["BANQUET_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Tables and functions every bridge test uses.
    static let fixtures = [
        "create table public.test_writebacks (job_id bigint not null, kind text, result jsonb, at timestamptz not null default clock_timestamp())",
        "create table public.test_failures (job_id bigint not null, error text, at timestamptz not null default clock_timestamp())",
        """
        create function public.test_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void
        language sql as $$ insert into public.test_writebacks (job_id, kind, result)
                           select p_job_id, j.kind, p_result from bridge.jobs j where j.id = p_job_id $$
        """,
        """
        create function public.test_on_failure(p_job_id bigint, p_payload jsonb, p_error text) returns void
        language sql as $$ insert into public.test_failures (job_id, error) values (p_job_id, p_error) $$
        """,
    ]

    private init(db: TestDatabase, client: PostgresClient, clientTask: Task<Void, Never>) {
        self.db = db
        self.client = client
        self.clientTask = clientTask
    }

    /// Runs `body` against a fresh database; always drops it afterwards.
    static func with<T: Sendable>(_ label: String = "bridge", _ body: (BridgeHarness) async throws -> T) async throws -> T {
        let db = try await TestDatabase.migrated(label)
        let client = PostgresClient(configuration: db.url.clientConfiguration(maxConnections: 20, applicationName: "banquet-tests"), backgroundLogger: logger)
        let task = Task { await client.run() }
        let harness = BridgeHarness(db: db, client: client, clientTask: task)
        do {
            for statement in fixtures { try await harness.execute(statement) }
            let result = try await body(harness)
            await harness.close()
            return result
        } catch {
            // PSQLError's description hides the server's message; the test log needs it.
            if error is PSQLError { Issue.record("database error: \(String(reflecting: error))") }
            await harness.close()
            throw error
        }
    }

    private func close() async {
        clientTask.cancel()
        _ = await clientTask.value
        try? await db.drop()
    }

    /// Registers a test kind whose write-back and on-failure handler count into the test tables.
    func registerKind(_ kind: String, queue: String = "default", maxAttempts: Int = 5, timeoutSeconds: Int = 30,
                      concurrency: Int = 1000, backoffBaseSeconds: Double = 0.05, backoffMaxSeconds: Double = 1) async throws {
        try await execute("""
            select bridge.register_kind(p_kind => '\(kind)', p_queue => '\(queue)',
              p_writeback => 'public.test_writeback', p_on_failure => 'public.test_on_failure',
              p_max_attempts => \(maxAttempts), p_timeout_seconds => \(timeoutSeconds), p_concurrency => \(concurrency),
              p_backoff_base_seconds => \(backoffBaseSeconds), p_backoff_max_seconds => \(backoffMaxSeconds))
            """)
    }

    func execute(_ sql: String) async throws {
        _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).collect()
    }

    func int(_ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger)
        for try await value in rows.decode(Int?.self) { return value ?? 0 }
        return 0
    }

    func string(_ sql: String) async throws -> String? {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger)
        for try await value in rows.decode(String?.self) { return value }
        return nil
    }

    /// Enqueues `count` jobs of `kind` with payloads from `payload(i)` (JSON text), in batches.
    @discardableResult
    /// (`payload` comes before `dedupeKey` so that a trailing closure is the payload.)
    func enqueue(_ kind: String, count: Int = 1, priority: Int = 0, runAt: Date? = nil,
                 payload: (Int) -> String = { _ in "{}" }, dedupeKey: ((Int) -> String)? = nil) async throws -> [Int64] {
        var ids: [Int64] = []
        var start = 0
        while start < count {
            let end = min(count, start + 1000)
            let payloads = (start..<end).map { payload($0) }
            let keys = dedupeKey.map { key in (start..<end).map { key($0) } }
            let rows = try await client.query("""
                select unnest(bridge.enqueue_batch(\(kind), \(payloads)::jsonb[], null, \(keys)::text[], \(priority)::int, \(runAt)::timestamptz))
                """, logger: Self.logger)
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            start = end
        }
        return ids
    }

    func status(of id: Int64) async throws -> String? {
        try await string("select status from bridge.jobs where id = \(id)")
    }

    /// Starts a daemon in this process. Stop it with `stop()` on the returned handle.
    func startService(registry: JobHandlerRegistry, configuration: BridgeConfiguration, logger: Logger? = nil) -> RunningService {
        RunningService(service: BridgeService(client: client, listenURL: db.url, registry: registry, configuration: configuration, logger: logger ?? Self.logger))
    }
}

/// A `BridgeService` running in a task of its own.
struct RunningService: Sendable {
    let service: BridgeService
    let task: Task<Void, any Error>

    init(service: BridgeService) {
        self.service = service
        self.task = Task { try await service.run() }
    }

    /// Graceful shutdown, as on SIGTERM; returns when the service has stopped.
    func stop() async throws {
        service.shutdownGracefully()
        try await task.value
    }
}

/// Waits for `condition`, polling; records an issue (and throws) if it does not hold in `timeout`.
/// The timeout guards against a hang; it is not a performance assertion.
func eventually(_ description: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for: \(description)", sourceLocation: sourceLocation)
    throw TimedOut(description: description)
}

struct TimedOut: Error { let description: String }

extension BridgeConfiguration {
    /// Fast settings for tests: short poll, short lease, tiny grace.
    static func test(_ worker: String = "test-\(UUID().uuidString.prefix(6))", queues: String = "*=16", leaseSeconds: Int = 30,
                     pollMilliseconds: Int = 200, rateLimits: String = "", breaker: CircuitBreakerPolicy = .init(),
                     shutdownGraceSeconds: Int = 5) throws -> BridgeConfiguration {
        try BridgeConfiguration.fromEnvironment(Environment([
            "BANQUET_WORKER_ID": worker,
            "BANQUET_QUEUES": queues,
            "BANQUET_LEASE_SECONDS": "\(leaseSeconds)",
            "BANQUET_POLL_INTERVAL_MS": "\(pollMilliseconds)",
            "BANQUET_RATE_LIMITS": rateLimits,
            "BANQUET_BREAKER_FAILURES": "\(breaker.failureThreshold)",
            "BANQUET_BREAKER_OPEN_SECONDS": "\(Int(breaker.openDuration.inSeconds))",
            "BANQUET_SHUTDOWN_GRACE_SECONDS": "\(shutdownGraceSeconds)",
            "BANQUET_SCHEDULE_INTERVAL_MS": "200",
        ]))
    }
}
