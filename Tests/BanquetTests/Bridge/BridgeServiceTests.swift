import BanquetCore
@testable import BridgeRuntime
import Foundation
import ConnectorKit
@testable import JobKinds
import Logging
import PostgresNIO
import Testing

/// One HTTP transport for the tests' http.post handlers, sized as `banquet serve` sizes it.
let testHTTPTransport = AsyncHTTPTransport(connectionsPerHost: 64)

/// The job runtime in-process against real PostgreSQL: claims, write-back, retries, failures.
@Suite("Bridge runtime", .serialized)
struct BridgeServiceTests {
    func registry(_ extra: (inout JobHandlerRegistry) -> Void = { _ in }) -> JobHandlerRegistry {
        var registry = JobHandlerRegistry()
        registry.register(NoopHandler.kind, handler: NoopHandler())
        registry.register(HTTPPostHandler.kind, handler: HTTPPostHandler(transport: testHTTPTransport))
        extra(&registry)
        return registry
    }

    @Test func claimsAndCompletesJobsWithOneWriteBackEach() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            try await h.enqueue(NoopHandler.kind, count: 200)
            let daemon = h.startService(registry: registry(), configuration: try .test())
            try await eventually("200 jobs succeeded") {
                try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded'") == 200
            }
            try await daemon.stop()
            #expect(try await h.int("select count(*) from public.test_writebacks") == 200)
            #expect(try await h.int("select count(distinct job_id) from public.test_writebacks") == 200)
            // The noop result carries its start time, which the write-back received.
            #expect(try await h.int("select count(*) from public.test_writebacks where result ? 'started_at_epoch'") == 200)
        }
    }

    @Test func twoWorkersWriteBackEveryJobExactlyOnceAndAttemptEverySideEffect() async throws {
        try await BridgeHarness.with { h in
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http")
            let ids = try await h.enqueue(HTTPPostHandler.kind, count: 10_000) { i in sink.payload("/ok", body: "{\"n\":\(i)}") }
            let a = h.startService(registry: registry(), configuration: try .test("worker-a", queues: "http=32"))
            let b = h.startService(registry: registry(), configuration: try .test("worker-b", queues: "http=32"))
            try await eventually("10,000 jobs succeeded", timeout: .seconds(300)) {
                try await h.int("select count(*) from bridge.jobs where kind = 'http.post' and status = 'succeeded'") == 10_000
            }
            try await a.stop()
            try await b.stop()
            #expect(try await h.int("select count(*) from public.test_writebacks") == 10_000)
            #expect(try await h.int("select count(*) from (select job_id from public.test_writebacks group by job_id having count(*) > 1) d") == 0)
            let stats = try await sink.stats()
            let attempted = Set(stats.keys.keys)
            #expect(ids.allSatisfy { attempted.contains("job-\($0)") })
            // Both processes took part.
            #expect(try await h.int("select count(distinct locked_by) from bridge.jobs where kind = 'http.post'") == 2)
        }
    }

    @Test func malformedPayloadAndRaisingHandlerFailClearlyAndTheDaemonKeepsRunning() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.typed")
            try await h.registerKind("test.raises", maxAttempts: 2)
            try await h.registerKind(NoopHandler.kind)
            let registry = registry { r in
                r.register("test.typed", handler: TypedHandler())
                r.register("test.raises", handler: RaisingHandler())
            }
            let daemon = h.startService(registry: registry, configuration: try .test("bad-input"))
            let malformed = try await h.enqueue("test.typed") { _ in #"{"to": 42}"# }[0]
            let raises = try await h.enqueue("test.raises")[0]
            try await eventually("bad jobs are dead") {
                try await h.int("select count(*) from bridge.jobs where id in (\(malformed), \(raises)) and status = 'dead'") == 2
            }
            #expect(try await h.string("select last_error from bridge.jobs where id = \(malformed)") == "malformed payload for test.typed: to is not of type String")
            // Malformed payload: permanent, one attempt. A raising handler: retried by policy.
            #expect(try await h.int("select attempts from bridge.jobs where id = \(malformed)") == 1)
            #expect(try await h.int("select attempts from bridge.jobs where id = \(raises)") == 2)
            let raised = try await h.string("select last_error from bridge.jobs where id = \(raises)") ?? ""
            #expect(raised == "test.raises handler raised boom: the provider exploded")
            // The on-failure handler ran once per dead job.
            #expect(try await h.int("select count(*) from public.test_failures") == 2)
            // Still running: a good job goes through, and a well-formed typed one too.
            let good = try await h.enqueue(NoopHandler.kind)[0]
            let typed = try await h.enqueue("test.typed") { _ in #"{"to": "ada", "count": 2}"# }[0]
            try await eventually("good jobs succeed after bad ones") {
                let statuses = [try await h.status(of: good), try await h.status(of: typed)]
                return statuses == ["succeeded", "succeeded"]
            }
            #expect(try await h.string("select result->>'to' from public.test_writebacks where job_id = \(typed)") == "ada")
            try await daemon.stop()
        }
    }

    /// graphile-worker's rule: a worker only asks for the tasks it knows. Two daemons share a
    /// queue; only one has a handler for test.newer. Every test.newer job runs there, none is
    /// buried as "no handler" by the other, and while no daemon runs a kind its jobs wait and
    /// show as unhandled.
    @Test func aDaemonClaimsOnlyTheKindsItHasHandlersFor() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            try await h.registerKind("test.newer")
            let newer = try await h.enqueue("test.newer", count: 100) { _ in #"{"to": "ada", "count": 1}"# }
            try await h.enqueue(NoopHandler.kind, count: 100)
            let old = h.startService(registry: registry(), configuration: try .test("old-replica"))
            try await eventually("the old replica ran every job it can") {
                try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded'") == 100
            }
            try await eventually("the old replica has said which kinds it runs") {
                try await h.int("select count(*) from bridge.workers where worker_id = 'old-replica'") == 1
            }
            // Nobody runs test.newer yet: the jobs wait, unattempted, and show as unhandled.
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'test.newer' and status = 'pending' and attempts = 0") == 100)
            let admin = JobAdmin(client: h.client, logger: BridgeHarness.logger)
            // Only the test's kinds: the migrated schedules (e.g. proposal.expire hourly) may fire a
            // maintenance job this registry does not run, which is rightly unhandled too.
            let unhandled = try await admin.unhandledKinds().filter { $0.kind.hasPrefix("test.") }
            #expect(unhandled.map(\.kind) == ["test.newer"])
            #expect(unhandled.first?.due == 100)

            let new = h.startService(registry: registry { $0.register("test.newer", handler: TypedHandler()) }, configuration: try .test("new-replica"))
            try await h.enqueue(NoopHandler.kind, count: 100)
            try await eventually("every test.newer job succeeded") {
                try await h.int("select count(*) from bridge.jobs where kind = 'test.newer' and status = 'succeeded'") == newer.count
            }
            try await old.stop()
            try await new.stop()
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'test.newer' and locked_by <> 'new-replica'") == 0)
            #expect(try await h.int("select count(*) from bridge.jobs where status = 'dead'") == 0)
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'test.newer' and attempts <> 1") == 0)
            #expect(try await admin.unhandledKinds().filter { $0.kind.hasPrefix("test.") }.isEmpty)
            // A stopped daemon says goodbye: its kinds stop counting as handled at once.
            #expect(try await h.int("select count(*) from bridge.workers") == 0)
        }
    }

    /// The chaos runs' deadlock: heartbeat and complete_many locked the same jobs in different
    /// orders (40P01). Both now lock in id order; here they run against each other on the same
    /// jobs, given in opposite orders, many times.
    @Test func heartbeatAndCompleteManyNeverDeadlock() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            for round in 0..<20 {
                try await h.enqueue(NoopHandler.kind, count: 200)
                let rows = try await h.client.query("select id, lease_token from bridge.claim('chaos', null, 200, 30)", logger: BridgeHarness.logger)
                var leases: [(id: Int64, token: UUID)] = []
                for try await (id, token) in rows.decode((Int64, UUID).self) { leases.append((id, token)) }
                #expect(leases.count == 200, "round \(round)")
                let ascending = leases.sorted { $0.id < $1.id }
                let descending = Array(ascending.reversed())
                async let heartbeat: Void = {
                    for _ in 0..<3 {
                        _ = try await h.client.query("select bridge.heartbeat(\(descending.map(\.id)), \(descending.map(\.token)), 30)",
                                                     logger: BridgeHarness.logger).collect()
                    }
                }()
                async let complete = h.client.query("select bridge.complete_many(\(ascending.map(\.id)), \(ascending.map(\.token)))",
                                                    logger: BridgeHarness.logger).collect()
                try await heartbeat
                _ = try await complete
            }
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded'") == 4000)
            #expect(try await h.int("select count(*) from public.test_writebacks") == 4000)
        }
    }

    /// A job completed by its own worker was then logged "no longer owned … stopping it" when a
    /// heartbeat taken before the completion came back after it. Jobs whose outcome is being
    /// written are no longer heartbeated, and a lost lease is checked again after the heartbeat.
    @Test func aJobCompletedByItsOwnWorkerIsNeverReportedAsLost() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.sleep")
            let log = CapturedLog()
            var logger = Logger(label: "bridge-test") { _ in log.handler() }
            logger.logLevel = .info
            // Heartbeat every 5 ms while 2,000 jobs of 1–10 ms finish: heartbeats overlap completions
            // all the time.
            var configuration = try BridgeConfiguration.test("own-completions", queues: "*=16")
            configuration.heartbeatInterval = .milliseconds(5)
            let daemon = h.startService(registry: registry { $0.register("test.sleep", handler: SleepHandler()) },
                                        configuration: configuration, logger: logger)
            try await h.enqueue("test.sleep", count: 2000) { i in "{\"ms\": \(1 + i % 10)}" }
            try await eventually("2,000 jobs succeeded") {
                try await h.int("select count(*) from bridge.jobs where kind = 'test.sleep' and status = 'succeeded'") == 2000
            }
            try await daemon.stop()
            #expect(log.messages.filter { $0.contains("no longer owned") }.isEmpty)
            #expect(log.messages.filter { $0.contains("heartbeat failed") }.isEmpty)
        }
    }

    /// AsyncHTTPClient's default pool of 8 connections per host made http.post jobs wait inside
    /// the client while they held bridge slots and their timeouts ran. With 32 slots, all 32 requests
    /// must be open at the provider at once. The sink holds each until all 32 have arrived (10 s at
    /// most), so a slow claim on a loaded machine cannot fail the test, and a pool of 8 still does.
    @Test func httpPostJobsReachTheProviderWithAllTheirSlots() async throws {
        try await BridgeHarness.with { h in
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http")
            try await h.enqueue(HTTPPostHandler.kind, count: 32) { _ in sink.payload("/gather/32?max_ms=10000") }
            let daemon = h.startService(registry: registry(), configuration: try .test(queues: "http=32"))
            try await eventually("32 slow jobs succeeded") {
                try await h.int("select count(*) from bridge.jobs where kind = 'http.post' and status = 'succeeded'") == 32
            }
            try await daemon.stop()
            let peak = try await sink.stats().peakInFlight
            #expect(peak == 32, "the provider saw at most \(peak) requests at once")
        }
    }

    @Test func httpPostRetriesServerErrorsThenSucceedsWithOneWriteBack() async throws {
        try await BridgeHarness.with { h in
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http", maxAttempts: 5)
            let id = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/flaky/2") }[0]
            let daemon = h.startService(registry: registry(), configuration: try .test())
            try await eventually("flaky job succeeds") { try await h.status(of: id) == "succeeded" }
            try await daemon.stop()
            #expect(try await sink.stats().keys["job-\(id)"] == 3)
            #expect(try await h.int("select attempts from bridge.jobs where id = \(id)") == 3)
            #expect(try await h.int("select count(*) from public.test_writebacks where job_id = \(id)") == 1)
            #expect(try await h.string("select result->>'status' from bridge.jobs where id = \(id)") == "200")
        }
    }

    @Test func httpPostHonoursRetryAfterAndDiesOnClientErrors() async throws {
        try await BridgeHarness.with { h in
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http", maxAttempts: 3)
            let throttled = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/status/429?retry_after=120") }[0]
            let rejected = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/status/422") }[0]
            let daemon = h.startService(registry: registry(), configuration: try .test())
            try await eventually("throttled job rescheduled, rejected job dead") {
                let throttledWaiting = try await h.int("select count(*) from bridge.jobs where id = \(throttled) and status = 'pending' and attempts = 1") == 1
                let rejectedDead = try await h.status(of: rejected) == "dead"
                return throttledWaiting && rejectedDead
            }
            try await daemon.stop()
            // Retry-After: 120 moved run_at two minutes out (backoff alone would be well under a second).
            #expect(try await h.int("select count(*) from bridge.jobs where id = \(throttled) and run_at >= updated_at + interval '119 seconds'") == 1)
            #expect(try await h.string("select last_error from bridge.jobs where id = \(throttled)")?.contains("returned 429") == true)
            #expect(try await h.string("select last_error from bridge.jobs where id = \(rejected)")?.contains("returned 422") == true)
            #expect(try await h.int("select attempts from bridge.jobs where id = \(rejected)") == 1)
            #expect(try await h.int("select count(*) from public.test_failures where job_id = \(rejected)") == 1)
        }
    }

    @Test func deadJobsRedriveAndRunAgain() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.raises", maxAttempts: 1)
            let outage = OutageHandler()
            let registry = registry { $0.register("test.raises", handler: outage) }
            let daemon = h.startService(registry: registry, configuration: try .test())
            let id = try await h.enqueue("test.raises")[0]
            try await eventually("job dead") { try await h.status(of: id) == "dead" }
            outage.failing.withLockedValue { $0 = false }
            #expect(try await h.int("select bridge.redrive('test.raises')") == 1)
            try await eventually("redriven job succeeds") { try await h.status(of: id) == "succeeded" }
            try await daemon.stop()
            #expect(try await h.int("select count(*) from public.test_writebacks where job_id = \(id)") == 1)
        }
    }

    @Test func dedupePriorityAndRunAt() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            // Dedupe: the same key while the first is unfinished returns the same job.
            let first = try await h.enqueue(NoopHandler.kind, dedupeKey: { _ in "same" })[0]
            let second = try await h.enqueue(NoopHandler.kind, dedupeKey: { _ in "same" })[0]
            #expect(first == second)
            // Priority: with one slot, higher priority runs first whatever the enqueue order.
            let low = try await h.enqueue(NoopHandler.kind, count: 3, priority: 0)
            let high = try await h.enqueue(NoopHandler.kind, count: 3, priority: 10)
            // run_at: not before its time.
            let later = try await h.enqueue(NoopHandler.kind, runAt: Date().addingTimeInterval(2))[0]
            let daemon = h.startService(registry: registry(), configuration: try .test(queues: "*=1"))
            try await eventually("all ran") { try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded'") == 8 }
            try await daemon.stop()
            let order = try await h.client.query("select job_id from public.test_writebacks order by at", logger: BridgeHarness.logger)
            var ran: [Int64] = []
            for try await id in order.decode(Int64.self) { ran.append(id) }
            #expect(Array(ran.prefix(3)).sorted() == high.sorted())
            #expect(ran.firstIndex(of: first)! > 2)
            #expect(Set(ran.prefix(4)).isDisjoint(with: low) || ran.firstIndex(of: first)! < ran.firstIndex(of: low[0])!)
            #expect(try await h.int("select count(*) from bridge.jobs j join public.test_writebacks w on w.job_id = j.id where j.id = \(later) and w.at >= j.run_at") == 1)
            #expect(try await h.int("select count(*) from public.test_writebacks where job_id = \(first)") == 1)
        }
    }

    @Test func timedOutHandlerIsCancelledAndRetried() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.sleep", maxAttempts: 2, timeoutSeconds: 1)
            let sleeper = SleepHandler()
            let daemon = h.startService(registry: registry { $0.register("test.sleep", handler: sleeper) }, configuration: try .test())
            let id = try await h.enqueue("test.sleep") { _ in #"{"ms": 600000}"# }[0]
            try await eventually("timed out twice, dead") { try await h.status(of: id) == "dead" }
            try await daemon.stop()
            #expect(try await h.string("select last_error from bridge.jobs where id = \(id)") == "timed out after 1s")
            #expect(sleeper.counters.started == 2)
            #expect(sleeper.counters.cancelled == 2)
        }
    }

    @Test func cancellingARunningJobStopsItsHandler() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.sleep", timeoutSeconds: 600)
            let sleeper = SleepHandler()
            // Lease 3 s: heartbeats every second, so the cancel is seen within a second or so.
            let daemon = h.startService(registry: registry { $0.register("test.sleep", handler: sleeper) }, configuration: try .test(leaseSeconds: 3))
            let id = try await h.enqueue("test.sleep") { _ in #"{"ms": 600000}"# }[0]
            try await eventually("running") { try await h.status(of: id) == "running" && sleeper.counters.started == 1 }
            #expect(try await h.string("select bridge.cancel(\(id))::text") == "true")
            try await eventually("cancelled") { try await h.status(of: id) == "cancelled" }
            #expect(sleeper.counters.cancelled == 1)
            // A pending job cancels at once and never runs.
            let pending = try await h.enqueue("test.sleep", runAt: Date().addingTimeInterval(3600)) { _ in #"{"ms": 1}"# }[0]
            #expect(try await h.string("select bridge.cancel(\(pending))::text") == "true")
            #expect(try await h.status(of: pending) == "cancelled")
            try await daemon.stop()
            #expect(try await h.int("select count(*) from public.test_writebacks") == 0)
        }
    }

    @Test func rateLimitIsNeverExceededAtTheSink() async throws {
        try await BridgeHarness.with { h in
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http")
            // 3 sends per second per recipient; 12 jobs for one recipient, 8 slots to run them.
            let ids = try await h.enqueue(HTTPPostHandler.kind, count: 12) { _ in sink.payload("/ok", rateKey: "+15550100") }
            let daemon = h.startService(registry: registry(), configuration: try .test(queues: "*=8", rateLimits: "http.post:key=3/1s"))
            try await eventually("all sent") { try await h.int("select count(*) from bridge.jobs where kind = 'http.post' and status = 'succeeded'") == ids.count }
            try await daemon.stop()
            let times = try await sink.arrivals().map(\.time).sorted()
            #expect(times.count == 12)
            // In any window of one second the sink saw at most 3 sends (the 4th after a send is
            // at least a window later; 20 ms allows for delivery jitter between daemon and sink).
            for i in 3..<times.count {
                #expect(times[i] - times[i - 3] >= 0.98, "sends \(i - 3) and \(i) only \(times[i] - times[i - 3]) s apart")
            }
        }
    }

    @Test func circuitBreakerOpensRejectsFastAndClosesAfterASuccessfulProbe() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.outage", maxAttempts: 100)
            let outage = OutageHandler()
            let configuration = try BridgeConfiguration.test(queues: "*=1", breaker: .init(failureThreshold: 3, openDuration: .seconds(2)))
            let daemon = h.startService(registry: registry { $0.register("test.outage", handler: outage) }, configuration: configuration)
            let id = try await h.enqueue("test.outage")[0]
            try await eventually("breaker opened") {
                try await h.string("select last_error from bridge.jobs where id = \(id)") == "circuit breaker open for provider flaky"
            }
            // Three failures opened it; while open the provider is not called.
            #expect(outage.calls.withLockedValue { $0 } == 3)
            // The rejection carried the remaining open time as retry-after.
            #expect(try await h.int("select count(*) from bridge.jobs where id = \(id) and run_at > updated_at + interval '1 second'") == 1)
            outage.failing.withLockedValue { $0 = false }
            try await h.execute("update bridge.jobs set run_at = now() where id = \(id)")
            try await eventually("half-open probe succeeded and closed it") { try await h.status(of: id) == "succeeded" }
            try await daemon.stop()
            let state = await daemon.service.breaker.state(of: "flaky")
            #expect(state == .closed(consecutiveFailures: 0))
        }
    }

    @Test func gracefulShutdownFinishesShortJobsAndReleasesLongOnes() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind("test.sleep", timeoutSeconds: 600)
            let sleeper = SleepHandler()
            let daemon = h.startService(registry: registry { $0.register("test.sleep", handler: sleeper) },
                                        configuration: try .test(shutdownGraceSeconds: 1))
            let short = try await h.enqueue("test.sleep") { _ in #"{"ms": 300}"# }[0]
            let long = try await h.enqueue("test.sleep") { _ in #"{"ms": 600000}"# }[0]
            try await eventually("both running") { sleeper.counters.started == 2 }
            try await daemon.stop()
            #expect(try await h.status(of: short) == "succeeded")
            // Released, not left locked until its lease expires.
            #expect(try await h.status(of: long) == "pending")
            // …through bridge.release: runnable at once and the interrupted attempt is not counted.
            #expect(try await h.int("select attempts from bridge.jobs where id = \(long)") == 0)
            #expect(try await h.int("select count(*) from bridge.jobs where id = \(long) and run_at <= now() and lease_token is null") == 1)
            #expect(sleeper.counters.cancelled == 1)
            // A stopped daemon claims nothing more.
            let after = try await h.enqueue("test.sleep") { _ in #"{"ms": 1}"# }[0]
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await h.status(of: after) == "pending")
        }
    }

    @Test func schedulesFireOncePerPeriodAcrossDaemons() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            try await h.execute("select bridge.upsert_schedule('every-second', 'bridge.noop', interval '1 second')")
            let a = h.startService(registry: registry(), configuration: try .test("sched-a"))
            let b = h.startService(registry: registry(), configuration: try .test("sched-b"))
            try await eventually("three periods fired") {
                try await h.int("select count(*) from bridge.jobs where dedupe_key like 'every-second@%' and status = 'succeeded'") >= 3
            }
            try await a.stop()
            try await b.stop()
            #expect(try await h.int("select count(*) from (select dedupe_key from bridge.jobs group by dedupe_key having count(*) > 1) d") == 0)
        }
    }

    @Test func listenConnectionRecoversAfterTermination() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            // A poll interval far longer than the test: only NOTIFY can wake this daemon quickly.
            let daemon = h.startService(registry: registry(), configuration: try .test(pollMilliseconds: 600_000))
            try await eventually("listening") { await daemon.service.status.listenConnected }
            let terminated = try await h.int("""
                select count(pg_terminate_backend(pid)) from pg_stat_activity
                 where datname = current_database() and application_name = 'banquet-bridge-listen'
                """)
            #expect(terminated == 1)
            try await eventually("reconnected") {
                let status = await daemon.service.status
                return status.listenReconnects >= 1 && status.listenConnected
            }
            let id = try await h.enqueue(NoopHandler.kind)[0]
            // Well under the 10-minute poll interval: woken by NOTIFY on the new connection.
            try await eventually("job ran after reconnect", timeout: .seconds(20)) { try await h.status(of: id) == "succeeded" }
            try await daemon.stop()
        }
    }

    @Test func staleLeaseTokenIsRejectedAfterReclaim() async throws {
        try await BridgeHarness.with { h in
            try await h.registerKind(NoopHandler.kind)
            let id = try await h.enqueue(NoopHandler.kind)[0]
            // A worker claims with a 1-second lease and dies without reporting.
            let stale = try await h.string("select lease_token::text from bridge.claim('dead-worker', null, 1, 1)")!
            let daemon = h.startService(registry: registry(), configuration: try .test("survivor"))
            try await eventually("reclaimed and completed") { try await h.status(of: id) == "succeeded" }
            try await daemon.stop()
            #expect(try await h.string("select locked_by from bridge.jobs where id = \(id)") == "survivor")
            await #expect(throws: PSQLError.self) {
                try await h.execute("select bridge.complete(\(id), '\(stale)'::uuid, '{}'::jsonb)")
            }
            do {
                try await h.execute("select bridge.complete(\(id), '\(stale)'::uuid, '{}'::jsonb)")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.sqlState] == "BR409")
            }
            #expect(try await h.int("select count(*) from public.test_writebacks where job_id = \(id)") == 1)
        }
    }
}
