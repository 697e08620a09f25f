import Foundation
import Logging
import PostgresNIO

/// The operator's view of the queue: what `banquet jobs` and the console use. Reads go straight
/// to `bridge.jobs` (service_role may select it); every change goes through a `bridge.*`
/// function, so the CLI can never put a job in a state the runtime does not expect.
public struct JobAdmin: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public struct Filter: Sendable {
        public var status: String?
        public var kind: String?
        public var queue: String?
        public var limit: Int

        public init(status: String? = nil, kind: String? = nil, queue: String? = nil, limit: Int = 50) {
            self.status = status
            self.kind = kind
            self.queue = queue
            self.limit = limit
        }
    }

    public struct JobSummary: Sendable {
        public var id: Int64
        public var status: String
        public var queue: String
        public var kind: String
        public var attempts: Int
        public var maxAttempts: Int
        public var runAt: Date
        public var updatedAt: Date
        public var lockedBy: String?
        public var lastError: String?
    }

    /// Jobs, newest first. The status `failing` selects pending jobs whose last attempt failed
    /// (they wait to retry; the runtime has no separate status for them).
    public func list(_ filter: Filter) async throws -> [JobSummary] {
        let rows = try await client.query("""
            select id, status, queue, kind, attempts, max_attempts, run_at, updated_at, locked_by, last_error
              from bridge.jobs
             where (\(filter.status)::text is null or status = \(filter.status)
                    or (\(filter.status) = 'failing' and status = 'pending' and last_error is not null))
               and (\(filter.kind)::text is null or kind = \(filter.kind))
               and (\(filter.queue)::text is null or queue = \(filter.queue))
             order by id desc
             limit \(filter.limit)
            """, logger: logger)
        var jobs: [JobSummary] = []
        for try await (id, status, queue, kind, attempts, maxAttempts, runAt, updatedAt, lockedBy, lastError)
            in rows.decode((Int64, String, String, String, Int, Int, Date, Date, String?, String?).self) {
            jobs.append(JobSummary(id: id, status: status, queue: queue, kind: kind, attempts: attempts, maxAttempts: maxAttempts,
                                   runAt: runAt, updatedAt: updatedAt, lockedBy: lockedBy, lastError: lastError))
        }
        return jobs
    }

    /// One job in full as (field, value) pairs in display order; nil when there is no such job
    /// (it may have been pruned). Payload and result are pretty-printed JSON.
    public func show(_ id: Int64) async throws -> [(field: String, value: String)]? {
        let rows = try await client.query("""
            select id::text, status, queue, kind, coalesce(tenant_id::text, ''), coalesce(dedupe_key, ''), priority::text,
                   attempts || ' of ' || max_attempts, run_at::text, created_at::text, updated_at::text,
                   coalesce(finished_at::text, ''), coalesce(locked_by, ''), coalesce(locked_until::text, ''),
                   cancel_requested::text, jsonb_pretty(payload), coalesce(jsonb_pretty(result), ''), coalesce(last_error, '')
              from bridge.jobs where id = \(id)
            """, logger: logger)
        let names = ["id", "status", "queue", "kind", "tenant", "dedupe key", "priority", "attempts", "run at", "created",
                     "updated", "finished", "worker", "locked until", "cancel requested", "payload", "result", "last error"]
        for try await row in rows {
            let values = try row.makeRandomAccess().map { try $0.decode(String.self) }
            return zip(names, values).map { (field: $0, value: $1) }
        }
        return nil
    }

    /// Runs a dead or cancelled job again now; false when it is running or already succeeded.
    public func retry(_ id: Int64) async throws -> Bool {
        try await single("select bridge.retry(\(id))", as: Int.self) == 1
    }

    /// Requeues every dead job (of `kind`, if given); returns how many.
    public func redriveDead(kind: String?) async throws -> Int {
        try await single("select bridge.redrive(\(kind))", as: Int.self) ?? 0
    }

    /// Cancels a pending job at once, a running one at its next heartbeat; false when it had
    /// already finished.
    public func cancel(_ id: Int64) async throws -> Bool {
        try await single("select bridge.cancel(\(id))", as: Bool.self) ?? false
    }

    public struct KindCount: Sendable {
        public var queue: String
        public var kind: String
        public var status: String
        public var count: Int64
        /// For pending rows: how long the oldest due job has waited.
        public var oldestDueAge: Duration?
    }

    public func stats() async throws -> [KindCount] {
        let rows = try await client.query("select queue, kind, status, count, oldest_pending_age_seconds from bridge.stats()", logger: logger)
        var counts: [KindCount] = []
        for try await (queue, kind, status, count, age) in rows.decode((String, String, String, Int64, Double?).self) {
            counts.append(KindCount(queue: queue, kind: kind, status: status, count: count, oldestDueAge: age.map { .seconds($0) }))
        }
        return counts
    }

    public struct UnhandledKind: Sendable, Equatable {
        public var kind: String
        public var queue: String
        public var due: Int64
        public var oldestDueAge: Duration
    }

    /// Due jobs of kinds that no daemon seen in the last 30 s has a handler for: they wait (never
    /// go dead) until a daemon that runs the kind starts.
    public func unhandledKinds() async throws -> [UnhandledKind] {
        let rows = try await client.query("select kind, queue, due, oldest_due_age_seconds from bridge.unhandled_kinds()", logger: logger)
        var kinds: [UnhandledKind] = []
        for try await (kind, queue, due, age) in rows.decode((String, String, Int64, Double).self) {
            kinds.append(UnhandledKind(kind: kind, queue: queue, due: due, oldestDueAge: .seconds(age)))
        }
        return kinds
    }

    private func single<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        let rows = try await client.query(query, logger: logger)
        for try await value in rows.decode(T.self) { return value }
        return nil
    }
}
