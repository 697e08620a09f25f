import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// The daemon's only way into the database: one short statement per call through `bridge.*`
/// functions, each in its own implicit transaction, so no transaction ever spans a provider call.
struct JobStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// `bridge.complete`/`bridge.fail`/`bridge.heartbeat` rejected our lease token.
    struct StaleLease: Error {}

    /// SQLSTATE `bridge.complete` and `bridge.fail` raise for a lease token that is no longer current.
    static let staleLeaseState = "BR409"

    // 1. Claim: due jobs of the given queues (nil = every queue) and kinds (the ones this daemon
    //    has handlers for), leased to this worker.
    //
    //    The claim commits without waiting for its WAL flush (synchronous_commit = off for this
    //    transaction only). A claim lost in a server crash only puts its jobs back to pending: they
    //    run again (side effects are at-least-once anyway, and providers get the job's idempotency
    //    key), and this worker's late complete is refused by the fence (BR409), so a write-back is
    //    still never written twice. Completions keep the default, durable commit.
    func claim(worker: String, queues: [String]?, kinds: [String], limit: Int, leaseSeconds: Int) async throws -> [ClaimedJob] {
        let rows = try await client.query("""
            select c.id, c.queue, c.kind, c.payload::text, c.attempts, c.max_attempts, c.lease_token,
                   c.tenant_id, c.timeout_seconds, c.run_at
              from pg_catalog.set_config('synchronous_commit', 'off', true) as async_commit,
                   bridge.claim(\(worker), \(queues)::text[], \(limit)::int, \(leaseSeconds)::int, \(kinds)::text[]) c
            """, logger: logger)
        var jobs: [ClaimedJob] = []
        for try await (id, queue, kind, payload, attempts, maxAttempts, token, tenant, timeout, runAt)
            in rows.decode((Int64, String, String, String, Int, Int, UUID, UUID?, Int, Date).self) {
            jobs.append(ClaimedJob(id: id, queue: queue, kind: kind, payload: Data(payload.utf8), attempts: attempts,
                                   maxAttempts: maxAttempts, leaseToken: token, tenantID: tenant,
                                   timeout: .seconds(timeout), runnableSince: runAt))
        }
        return jobs
    }

    /// Extends the leases; returns the ids still owned (a missing id was reclaimed or cancelled).
    func heartbeat(_ jobs: [(id: Int64, token: UUID)], leaseSeconds: Int) async throws -> Set<Int64> {
        guard !jobs.isEmpty else { return [] }
        let ids = jobs.map(\.id)
        let tokens = jobs.map(\.token)
        let rows = try await client.query("select unnest(bridge.heartbeat(\(ids), \(tokens), \(leaseSeconds)::int))", logger: logger)
        var owned: Set<Int64> = []
        for try await id in rows.decode(Int64.self) { owned.insert(id) }
        return owned
    }

    /// Runs the kind's write-back and marks the job succeeded, in one transaction.
    func complete(_ job: ClaimedJob, result: JobResult) async throws {
        let json = result.json.map { String(decoding: $0, as: UTF8.self) }
        do {
            _ = try await client.query("select bridge.complete(\(job.id), \(job.leaseToken), \(json)::jsonb)", logger: logger)
                .collect()
        } catch where DatabaseError.sqlState(error) == Self.staleLeaseState {
            throw StaleLease()
        }
    }

    /// `bridge.complete_many`: write-backs and completion for a batch in one transaction. Returns
    /// the ids completed; an id missing had a stale lease. Throws if any write-back raised (the
    /// whole batch rolled back).
    func completeMany(_ jobs: [(job: ClaimedJob, result: JobResult)]) async throws -> Set<Int64> {
        let ids = jobs.map(\.job.id)
        let tokens = jobs.map(\.job.leaseToken)
        // A job without a result is JSON null here and SQL NULL for its write-back, as with complete().
        let results = jobs.map { $0.result.json.map { String(decoding: $0, as: UTF8.self) } ?? "null" }
        let rows = try await client.query("""
            select unnest(bridge.complete_many(\(ids), \(tokens),
              (select array_agg(nullif(r::jsonb, 'null'::jsonb) order by n) from unnest(\(results)::text[]) with ordinality as t(r, n))))
            """, logger: logger)
        var completed: Set<Int64> = []
        for try await id in rows.decode(Int64.self) { completed.insert(id) }
        return completed
    }

    /// Reports a failed attempt; returns the job's new status (pending, dead or cancelled).
    func fail(_ job: ClaimedJob, error message: String, retryable: Bool, retryAfter: Duration?) async throws -> String {
        let seconds = retryAfter?.inSeconds
        do {
            let rows = try await client.query("""
                select bridge.fail(\(job.id), \(job.leaseToken), \(message), \(retryable), \(seconds)::double precision)
                """, logger: logger)
            for try await status in rows.decode(String.self) { return status }
            return "unknown"
        } catch where DatabaseError.sqlState(error) == Self.staleLeaseState {
            throw StaleLease()
        }
    }

    /// Hands an unfinished job back (shutdown): pending again at once, and the attempt does not
    /// count, so a job on its last attempt is not buried because this worker stopped.
    func release(_ job: ClaimedJob) async throws -> String {
        do {
            let rows = try await client.query("select bridge.release(\(job.id), \(job.leaseToken))", logger: logger)
            for try await status in rows.decode(String.self) { return status }
            return "unknown"
        } catch where DatabaseError.sqlState(error) == Self.staleLeaseState {
            throw StaleLease()
        }
    }

    /// Hands a job the rate limiter held back to the queue for `after`, without spending an attempt.
    func `defer`(_ job: ClaimedJob, after delay: Duration, reason: String) async throws -> String {
        do {
            let rows = try await client.query("""
                select bridge.defer(\(job.id), \(job.leaseToken), \(delay.inSeconds)::double precision, \(reason))
                """, logger: logger)
            for try await status in rows.decode(String.self) { return status }
            return "unknown"
        } catch where DatabaseError.sqlState(error) == Self.staleLeaseState {
            throw StaleLease()
        }
    }

    /// Distinct queues of the registered kinds, so a wildcard pool can claim "every other queue".
    func knownQueues() async throws -> Set<String> {
        let rows = try await client.query("select distinct queue from bridge.job_kinds", logger: logger)
        var queues: Set<String> = []
        for try await queue in rows.decode(String.self) { queues.insert(queue) }
        return queues
    }

    func fireDueSchedules() async throws -> Int {
        let rows = try await client.query("select bridge.fire_due_schedules()", logger: logger)
        for try await fired in rows.decode(Int.self) { return fired }
        return 0
    }

    func prune(retention: Duration) async throws -> Int {
        let seconds = retention.inSeconds
        let rows = try await client.query("select bridge.prune(make_interval(secs => \(seconds)))", logger: logger)
        for try await pruned in rows.decode(Int.self) { return pruned }
        return 0
    }

    struct QueueDepth: Sendable {
        var queue: String
        var due: Int
        var scheduled: Int
        var running: Int
    }

    func queueDepth() async throws -> [QueueDepth] {
        let rows = try await client.query("select queue, due, scheduled, running from bridge.queue_depth()", logger: logger)
        var depths: [QueueDepth] = []
        for try await (queue, due, scheduled, running) in rows.decode((String, Int, Int, Int).self) {
            depths.append(QueueDepth(queue: queue, due: due, scheduled: scheduled, running: running))
        }
        return depths
    }

    /// "Still here, running these kinds": lets `bridge.unhandled_kinds()` tell which due jobs no
    /// live daemon can run.
    func workerSeen(worker: String, role: String, kinds: [String]) async throws {
        _ = try await client.query("select bridge.worker_seen(\(worker), \(role), \(kinds)::text[])", logger: logger).collect()
    }

    func workerGone(worker: String) async throws {
        _ = try await client.query("select bridge.worker_gone(\(worker))", logger: logger).collect()
    }
}
