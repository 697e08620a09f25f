import Foundation
import PostgresNIO

/// What the queue has been doing lately, for the operator's console: throughput, outcomes per
/// minute and the write-backs the daemon ran. All of it reads finished rows through
/// `jobs_finished_idx`, so it costs the same whatever the backlog.
extension JobAdmin {
    public struct Throughput: Sendable {
        public var queue: String
        public var kind: String
        /// Jobs that succeeded in the last 15 and 60 minutes.
        public var succeeded15: Int64
        public var succeeded60: Int64
        /// Jobs that went dead in the last 60 minutes.
        public var dead60: Int64

        /// Completed per minute, averaged over each window.
        public var perMinute15: Double { Double(succeeded15) / 15 }
        public var perMinute60: Double { Double(succeeded60) / 60 }
    }

    /// Per queue and kind, what finished in the last hour.
    public func throughput() async throws -> [Throughput] {
        let rows = try await client.query("""
            select queue, kind,
                   count(*) filter (where status = 'succeeded' and finished_at > now() - interval '15 minutes'),
                   count(*) filter (where status = 'succeeded'),
                   count(*) filter (where status = 'dead')
              from bridge.jobs
             where status in ('succeeded', 'dead', 'cancelled') and finished_at > now() - interval '60 minutes'
             group by queue, kind
             order by queue, kind
            """, logger: logger)
        var result: [Throughput] = []
        for try await (queue, kind, succeeded15, succeeded60, dead60) in rows.decode((String, String, Int64, Int64, Int64).self) {
            result.append(Throughput(queue: queue, kind: kind, succeeded15: succeeded15, succeeded60: succeeded60, dead60: dead60))
        }
        return result
    }

    /// Per queue and kind, pending jobs whose last attempt failed (waiting to retry).
    public func failingCounts() async throws -> [(queue: String, kind: String, count: Int64)] {
        let rows = try await client.query("""
            select queue, kind, count(*)
              from bridge.jobs
             where status = 'pending' and last_error is not null
             group by queue, kind
            """, logger: logger)
        var result: [(queue: String, kind: String, count: Int64)] = []
        for try await (queue, kind, count) in rows.decode((String, String, Int64).self) {
            result.append((queue: queue, kind: kind, count: count))
        }
        return result
    }

    public struct MinuteOutcomes: Sendable, Equatable {
        public var minute: Date
        public var completed: Int64
        /// Jobs whose latest attempt failed in this minute and that wait to retry. The runtime
        /// keeps no attempt history, so an attempt that failed before a later success is not
        /// counted.
        public var failed: Int64
        public var dead: Int64
    }

    /// Jobs per minute by outcome over the last `minutes` minutes, oldest first; minutes without
    /// any outcome are absent.
    public func outcomesPerMinute(minutes: Int = 60) async throws -> [MinuteOutcomes] {
        let rows = try await client.query("""
            with outcomes as (
              -- 1. finished jobs, by the minute they finished
              select date_trunc('minute', finished_at) as minute, status
                from bridge.jobs
               where status in ('succeeded', 'dead') and finished_at > now() - make_interval(mins => \(minutes)::int)
              union all
              -- 2. jobs waiting to retry, by the minute their last attempt failed
              select date_trunc('minute', updated_at), 'failed'
                from bridge.jobs
               where status = 'pending' and last_error is not null and updated_at > now() - make_interval(mins => \(minutes)::int)
            )
            select minute,
                   count(*) filter (where status = 'succeeded'),
                   count(*) filter (where status = 'failed'),
                   count(*) filter (where status = 'dead')
              from outcomes
             group by minute
             order by minute
            """, logger: logger)
        var result: [MinuteOutcomes] = []
        for try await (minute, completed, failed, dead) in rows.decode((Date, Int64, Int64, Int64).self) {
            result.append(MinuteOutcomes(minute: minute, completed: completed, failed: failed, dead: dead))
        }
        return result
    }

    public struct Writeback: Sendable {
        public var jobID: Int64
        public var kind: String
        /// The SQL function `bridge.complete` ran with the result (`app.email_send_writeback`).
        public var function: String
        public var tenantID: String?
        public var finishedAt: Date
        /// What the daemon handed to the function, as JSON text.
        public var result: String?
    }

    /// The latest succeeded jobs of kinds that have a write-back function: what the daemon wrote
    /// back through SQL, newest first.
    public func recentWritebacks(limit: Int = 50) async throws -> [Writeback] {
        let rows = try await client.query("""
            select j.id, j.kind, k.writeback_function, j.tenant_id::text, j.finished_at, j.result::text
              from bridge.jobs j
              join bridge.job_kinds k on k.kind = j.kind
             where j.status = 'succeeded' and k.writeback_function is not null
             order by j.finished_at desc
             limit \(limit)
            """, logger: logger)
        var result: [Writeback] = []
        for try await (id, kind, function, tenant, finishedAt, jobResult) in rows.decode((Int64, String, String, String?, Date, String?).self) {
            result.append(Writeback(jobID: id, kind: kind, function: function, tenantID: tenant, finishedAt: finishedAt, result: jobResult))
        }
        return result
    }
}
