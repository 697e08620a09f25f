import BanquetCore
@testable import BridgeRuntime
import Foundation
import Testing

/// `banquet serve --role all|worker|gateway` as operators run it: real processes.
@Suite("Daemon roles", .serialized)
struct DaemonRoleTests {
    func serve(_ h: BridgeHarness, role: String, directory: URL) async throws -> DaemonProcess {
        let process = try DaemonProcess(databaseURL: h.db.url.urlString,
                                        environment: ["BANQUET_ROLE": role, "BANQUET_WORKER_ID": "role-\(role)", "BANQUET_POLL_INTERVAL_MS": "200"],
                                        dataDirectory: directory)
        try await process.start()
        return process
    }

    func health(_ daemon: DaemonProcess) async throws -> [String: Any] {
        let (status, body) = try await httpGet(try #require(daemon.baseURL).appendingPathComponent("health/all"))
        #expect(status == 200)
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    @Test func aGatewayClaimsNoJobs() async throws {
        try await BridgeHarness.with("role_gateway") { h in
            let directory = try makeTemporaryDirectory("role-gateway")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await h.registerKind(NoopHandler.kind)
            let ids = try await h.enqueue(NoopHandler.kind, count: 20)
            let gateway = try await serve(h, role: "gateway", directory: directory)
            let body = try await health(gateway)
            #expect(body["role"] as? String == "gateway")
            #expect(body["runs"] as? [String] == ["health", "metrics", "edge-functions"])
            #expect(body["listen"] == nil)
            // Ten of its poll intervals: a runtime would have claimed them all by now.
            try await Task.sleep(for: .seconds(2))
            #expect(try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'pending' and attempts = 0") == ids.count)
            #expect(try await h.int("select count(*) from bridge.workers") == 0)
            #expect(await gateway.stop() == 0)

            // The same jobs run as soon as a worker starts.
            let worker = try await serve(h, role: "worker", directory: directory)
            try await eventually("a worker runs them") {
                try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded' and locked_by = 'role-worker'") == ids.count
            }
            #expect(await worker.stop() == 0)
        }
    }

    @Test func aWorkerServesNoClientRoutes() async throws {
        try await BridgeHarness.with("role_worker") { h in
            let directory = try makeTemporaryDirectory("role-worker")
            defer { try? FileManager.default.removeItem(at: directory) }
            let worker = try await serve(h, role: "worker", directory: directory)
            let all = try await serve(h, role: "all", directory: directory)
            let body = try await health(worker)
            #expect(body["role"] as? String == "worker")
            #expect(body["runs"] as? [String] == ["health", "metrics", "bridge"])
            let listen = try #require(body["listen"] as? [String: Any])
            #expect((listen["kinds"] as? [String])?.contains("email.send") == true)
            // The client-facing mount answers on `all` (its own 404 for an unknown function) and
            // does not exist on `worker` (the router's 404, without that message).
            let (allStatus, allBody) = try await httpGet(try #require(all.baseURL).appendingPathComponent("functions/v1/nope"))
            #expect(allStatus == 404)
            #expect(String(decoding: allBody, as: UTF8.self).contains("no edge function named"))
            let (workerStatus, workerBody) = try await httpGet(try #require(worker.baseURL).appendingPathComponent("functions/v1/nope"))
            #expect(workerStatus == 404)
            #expect(!String(decoding: workerBody, as: UTF8.self).contains("no edge function named"))
            // Both still answer the orchestrator's probes and metrics.
            let (metricsStatus, _) = try await httpGet(try #require(worker.baseURL).appendingPathComponent("metrics"))
            #expect(metricsStatus == 200)
            #expect(await worker.stop() == 0)
            #expect(await all.stop() == 0)
        }
    }
}

/// A daemon that runs for weeks must hold a flat RSS. One real daemon drains three rounds of
/// no-op jobs; memory after the third round must not have grown by more than a small allocator
/// margin over the second (at the 0.7 kB kept per job measured before the fix, 15,000 jobs added
/// about 10 MB per round).
@Suite("Daemon memory", .serialized)
struct DaemonMemoryTests {
    @Test func residentMemoryStopsGrowingWhileJobsAreProcessed() async throws {
        try await BridgeHarness.with("bridge_memory") { h in
            let directory = try makeTemporaryDirectory("bridge-memory")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await h.registerKind(NoopHandler.kind)
            let daemon = try DaemonProcess(databaseURL: h.db.url.urlString,
                                           environment: ["BANQUET_WORKER_ID": "memory", "BANQUET_QUEUES": "*=64", "BANQUET_CLAIM_BATCH": "64"],
                                           dataDirectory: directory)
            try await daemon.start()
            let perRound = 15_000
            var resident: [Int] = []
            for round in 1...3 {
                try await h.enqueue(NoopHandler.kind, count: perRound)
                try await eventually("round \(round) drained", timeout: .seconds(300)) {
                    try await h.int("select count(*) from bridge.jobs where kind = 'bridge.noop' and status = 'succeeded'") == round * perRound
                }
                try await Task.sleep(for: .milliseconds(500))
                resident.append(try daemon.residentBytes())
            }
            #expect(await daemon.stop() == 0)
            let megabytes = resident.map { Double($0) / 1_048_576 }
            print("daemon RSS after each round of \(perRound) jobs (MB): \(megabytes.map { String(format: "%.1f", $0) })")
            #expect(megabytes[2] - megabytes[1] < 4, "RSS grew from \(megabytes[1]) to \(megabytes[2]) MB over \(perRound) jobs")
            #expect(megabytes[2] - megabytes[0] < 8, "RSS grew from \(megabytes[0]) to \(megabytes[2]) MB over \(2 * perRound) jobs")
        }
    }
}
