@testable import BridgeRuntime
import Foundation
import PostgresNIO
import Testing

/// What the console reads through `JobAdmin`: throughput windows, outcomes per minute, failing
/// counts and write-backs, against rows whose times and states the test sets itself.
@Suite("Job admin activity")
struct JobAdminActivityTests {
    @Test func countsWhatFinishedInEachWindowAndWhatWaitsToRetry() async throws {
        try await BridgeHarness.with("jobadmin") { h in
            try await h.registerKind("test.activity")
            try await h.execute("select bridge.register_kind(p_kind => 'test.silent', p_queue => 'default')")
            // 1. Finished at known times: 5 and 30 minutes ago (in the windows), 2 hours ago (out).
            try await h.execute("""
                insert into bridge.jobs (queue, kind, status, attempts, max_attempts, finished_at, updated_at, last_error, result) values
                  ('default', 'test.activity', 'succeeded', 1, 5, now() - interval '5 minutes',  now() - interval '5 minutes',  null, '{"n": 1}'),
                  ('default', 'test.activity', 'succeeded', 1, 5, now() - interval '30 minutes', now() - interval '30 minutes', null, '{"n": 2}'),
                  ('default', 'test.activity', 'succeeded', 1, 5, now() - interval '2 hours',    now() - interval '2 hours',    null, '{"n": 3}'),
                  ('default', 'test.activity', 'dead',      5, 5, now() - interval '10 minutes', now() - interval '10 minutes', 'boom', null),
                  ('default', 'test.silent',   'succeeded', 1, 5, now() - interval '1 minute',   now() - interval '1 minute',   null, '{"n": 4}'),
                  ('default', 'test.activity', 'pending',   2, 5, null, now() - interval '3 minutes', 'retry me', null),
                  ('default', 'test.activity', 'pending',   0, 5, null, now(), null, null)
                """)
            let admin = JobAdmin(client: h.client, logger: BridgeHarness.logger)

            let throughput = try await admin.throughput()
            let activity = try #require(throughput.first { $0.kind == "test.activity" })
            #expect(activity.succeeded15 == 1 && activity.succeeded60 == 2 && activity.dead60 == 1)
            #expect(activity.perMinute60 == 2.0 / 60)

            let failing = try await admin.failingCounts()
            #expect(failing.map(\.kind) == ["test.activity"] && failing.first?.count == 1)
            let failingJobs = try await admin.list(.init(status: "failing"))
            #expect(failingJobs.map(\.lastError) == ["retry me"])

            let minutes = try await admin.outcomesPerMinute(minutes: 60)
            #expect(minutes.map(\.minute) == minutes.map(\.minute).sorted())
            #expect(minutes.reduce(0) { $0 + $1.completed } == 3)  // the two-hour-old job is out
            #expect(minutes.reduce(0) { $0 + $1.failed } == 1)
            #expect(minutes.reduce(0) { $0 + $1.dead } == 1)

            // 2. Write-backs: only kinds that have a write-back function, newest first.
            let writebacks = try await admin.recentWritebacks(limit: 10)
            #expect(writebacks.map(\.kind) == ["test.activity", "test.activity", "test.activity"])
            #expect(writebacks.map(\.function) == Array(repeating: "public.test_writeback", count: 3))
            #expect(writebacks.first?.result == #"{"n": 1}"#)
            #expect(writebacks.map(\.finishedAt) == writebacks.map(\.finishedAt).sorted(by: >))
        }
    }
}
