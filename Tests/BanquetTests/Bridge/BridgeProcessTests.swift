import BanquetCore
@testable import BridgeRuntime
@testable import JobKinds
import Foundation
import PostgresNIO
import Testing

/// The job runtime as operators run it: several real `banquet serve` processes on one database.
@Suite("Bridge runtime across daemon processes", .serialized)
struct BridgeProcessTests {
    /// A `banquet serve` for `h`'s database; stopped (SIGTERM) by the caller.
    func daemon(_ h: BridgeHarness, worker: String, directory: URL, _ extra: [String: String] = [:]) async throws -> DaemonProcess {
        var env = ["BANQUET_WORKER_ID": worker, "BANQUET_QUEUES": "*=32", "BANQUET_POLL_INTERVAL_MS": "500"]
        env.merge(extra) { $1 }
        let process = try DaemonProcess(databaseURL: h.db.url.urlString, environment: env, dataDirectory: directory)
        try await process.start()
        return process
    }

    @Test func twoDaemonsWriteBackTenThousandJobsExactlyOnce() async throws {
        try await BridgeHarness.with("bridge_procs") { h in
            let directory = try makeTemporaryDirectory("bridge-exactly-once")
            defer { try? FileManager.default.removeItem(at: directory) }
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http")
            let a = try await daemon(h, worker: "proc-a", directory: directory)
            let b = try await daemon(h, worker: "proc-b", directory: directory)
            let ids = try await h.enqueue(HTTPPostHandler.kind, count: 10_000) { i in sink.payload("/ok", body: "{\"n\":\(i)}") }
            try await eventually("10,000 jobs succeeded", timeout: .seconds(600)) {
                try await h.int("select count(*) from bridge.jobs where kind = 'http.post' and status = 'succeeded'") == 10_000
            }
            #expect(await a.stop() == 0)
            #expect(await b.stop() == 0)
            // Exactly once, counted by the database: one write-back row per job, none twice.
            #expect(try await h.int("select count(*) from public.test_writebacks") == 10_000)
            #expect(try await h.int("select count(*) from (select job_id from public.test_writebacks group by job_id having count(*) > 1) d") == 0)
            // At least once, counted at the provider: every job's idempotency key arrived.
            let attempted = Set(try await sink.stats().keys.keys)
            #expect(ids.allSatisfy { attempted.contains("job-\($0)") })
            #expect(try await h.int("select count(distinct locked_by) from bridge.jobs where kind = 'http.post'") == 2)
        }
    }

    @Test func killedDaemonsJobIsRerunByAnotherAndItsLateCompleteIsRejected() async throws {
        try await BridgeHarness.with("bridge_kill") { h in
            let directory = try makeTemporaryDirectory("bridge-kill")
            defer { try? FileManager.default.removeItem(at: directory) }
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http", timeoutSeconds: 120)
            // A 10-second lease: a dead worker's job is reclaimable 10 s after its last heartbeat.
            let lease = ["BANQUET_LEASE_SECONDS": "10"]
            let victim = try await daemon(h, worker: "victim", directory: directory, lease)
            // The provider takes 3 s to answer: long enough to kill the daemon mid-call.
            let id = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/slow/3000") }[0]
            try await eventually("victim called the provider") { try await sink.stats().keys["job-\(id)"] == 1 }
            let staleToken = try await h.string("select lease_token::text from bridge.jobs where id = \(id) and locked_by = 'victim'")
            #expect(staleToken != nil)
            victim.kill9()
            let killedAt = ContinuousClock.now
            let survivor = try await daemon(h, worker: "survivor", directory: directory, lease)
            try await eventually("another daemon re-ran the job", timeout: .seconds(30)) {
                try await sink.stats().keys["job-\(id)"] == 2
            }
            #expect(ContinuousClock.now - killedAt < .seconds(30))
            try await eventually("survivor completed it") { try await h.status(of: id) == "succeeded" }
            #expect(await survivor.stop() == 0)
            #expect(try await h.string("select locked_by from bridge.jobs where id = \(id)") == "survivor")
            // The dead process's token is fenced off: its late result cannot be written.
            var rejectedState: String?
            do {
                try await h.execute("select bridge.complete(\(id), '\(staleToken ?? "")'::uuid, '{\"late\": true}'::jsonb)")
            } catch let error as PSQLError {
                rejectedState = error.serverInfo?[.sqlState]
            }
            #expect(rejectedState == "BR409")
            #expect(try await h.int("select count(*) from public.test_writebacks where job_id = \(id)") == 1)
            #expect(try await h.int("select count(*) from bridge.jobs where id = \(id) and result ? 'late'") == 0)
        }
    }

    @Test func sigtermDrainsAndExitsCleanly() async throws {
        try await BridgeHarness.with("bridge_term") { h in
            let directory = try makeTemporaryDirectory("bridge-term")
            defer { try? FileManager.default.removeItem(at: directory) }
            let sink = try HTTPSink()
            try await h.registerKind(HTTPPostHandler.kind, queue: "http", timeoutSeconds: 120)
            let d = try await daemon(h, worker: "term", directory: directory, ["BANQUET_SHUTDOWN_GRACE_SECONDS": "2"])
            let quick = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/slow/500") }[0]
            let stuck = try await h.enqueue(HTTPPostHandler.kind) { _ in sink.payload("/slow/60000") }[0]
            try await eventually("both calls in flight") {
                let keys = try await sink.stats().keys
                return keys["job-\(quick)"] == 1 && keys["job-\(stuck)"] == 1
            }
            #expect(await d.stop() == 0)
            #expect(try await h.status(of: quick) == "succeeded")
            // Released on shutdown rather than left locked until its lease runs out.
            #expect(try await h.status(of: stuck) == "pending")
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'http.post' and status = 'running'") == 0)
        }
    }

    /// Restarts the shared test cluster, so it runs only when asked:
    /// `BANQUET_TEST_RESTART_CLUSTER=1 swift test --filter restartOfPostgreSQL`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BANQUET_TEST_RESTART_CLUSTER"] == "1"))
    func daemonRecoversFromAPostgreSQLRestart() async throws {
        try await BridgeHarness.with("bridge_restart") { h in
            let directory = try makeTemporaryDirectory("bridge-restart")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await h.registerKind(NoopHandler.kind)
            let d = try await daemon(h, worker: "restart", directory: directory, ["BANQUET_POLL_INTERVAL_MS": "1000"])
            let before = try await h.enqueue(NoopHandler.kind)[0]
            try await eventually("job before restart") { try await h.status(of: before) == "succeeded" }
            try await restartCluster()
            // After the restart every check uses a new connection (TestDatabase.scalar), so the
            // test observes the database, not the recovery of its own pool.
            try await eventually("database back", timeout: .seconds(60)) { (try? await h.db.scalar("select 'up'")) == "up" }
            let after = try #require(try await h.db.scalar("select bridge.enqueue('bridge.noop')::text"))
            let enqueuedAt = ContinuousClock.now
            try await eventually("job after restart", timeout: .seconds(30)) {
                try await h.db.scalar("select status from bridge.jobs where id = \(after)") == "succeeded"
            }
            // No job waits longer than the poll interval (1 s) once the database is back.
            #expect(ContinuousClock.now - enqueuedAt < .seconds(2))
            #expect(await d.stop() == 0)
        }
    }

    /// Restarts the test cluster with `scripts/db.sh restart`. Through system() on a dedicated
    /// thread rather than Foundation's Process: here the exited script stayed an unreaped zombie,
    /// so Process.isRunning never turned false and the test hung.
    private func restartCluster() async throws {
        let admin = try TestDatabase.adminURL
        let environment = ProcessInfo.processInfo.environment
        let dataDirectory = environment["BANQUET_TEST_PGDATA"] ?? Paths.repositoryRoot.appendingPathComponent(".data/pg-test").path
        let script = Paths.repositoryRoot.appendingPathComponent("scripts/db.sh").path
        let command = "PG_PORT=\(admin.port) PGDATA_DIR='\(dataDirectory)' PG_DB=postgres '\(script)' restart"
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: system(command)) }.start()
        }
        #expect(status == 0, "scripts/db.sh restart exited with \(status)")
    }
}
