import BanquetCore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/health` (the process answers), `/health/db` (a query round trip), `/health/all` (both plus
/// the job runtime's LISTEN connection and realtime's change feed). Load balancers use the first;
/// operators and `make run` the last.
/// Anything unhealthy answers 503 so probes need not parse the body.
struct HealthRoutes: Sendable {
    let client: PostgresClient
    let status: (any DaemonStatusProvider)?
    /// Realtime's state, for roles that serve it.
    var realtime: (@Sendable () -> RealtimeHealth)? = nil
    let role: GatewayRole
    let startedAt: Date
    let version: String
    let logger: Logger

    struct ProcessHealth: ResponseCodable {
        var status: String
        var version: String
        var uptimeSeconds: Double
        var pid: Int32
    }

    struct DatabaseHealth: ResponseCodable {
        var status: String
        var roundTripMs: Double?
        var serverVersion: String?
        var error: String?
    }

    struct AllHealth: ResponseCodable {
        var status: String
        /// `banquet serve --role` and what that role runs here.
        var role: GatewayRole
        var runs: [String]
        var process: ProcessHealth
        var database: DatabaseHealth
        var listen: ListenStatus?
        var realtime: RealtimeHealth?
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/health") { _, _ in self.processHealth() }
        router.get("/health/db") { _, _ -> EditedResponse<DatabaseHealth> in
            let db = await self.databaseHealth()
            return EditedResponse(status: db.status == "ok" ? .ok : .serviceUnavailable, response: db)
        }
        router.get("/health/all") { _, _ -> EditedResponse<AllHealth> in
            let db = await self.databaseHealth()
            // A gateway runs no job runtime, so there is no LISTEN connection to require.
            let listen = self.role.runsJobs ? await self.status?.listenStatus() : nil
            let realtime = self.realtime?()
            let healthy = db.status == "ok" && (listen?.connected ?? true) && (realtime?.listening ?? true)
            let body = AllHealth(status: healthy ? "ok" : "degraded", role: self.role, runs: self.role.components,
                                 process: self.processHealth(), database: db, listen: listen, realtime: realtime)
            return EditedResponse(status: healthy ? .ok : .serviceUnavailable, response: body)
        }
    }

    func processHealth() -> ProcessHealth {
        ProcessHealth(status: "ok", version: version, uptimeSeconds: Date().timeIntervalSince(startedAt).rounded(toPlaces: 3), pid: ProcessInfo.processInfo.processIdentifier)
    }

    func databaseHealth() async -> DatabaseHealth {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            // A real round trip through the pool, bounded so a hung server cannot hang the probe.
            let version = try await withTimeout(seconds: 3) {
                let rows = try await client.query("select current_setting('server_version')", logger: logger)
                for try await row in rows { return try row.decode(String.self) }
                return "unknown"
            }
            let ms = (clock.now - start).inMilliseconds
            return DatabaseHealth(status: "ok", roundTripMs: ms.rounded(toPlaces: 3), serverVersion: version, error: nil)
        } catch {
            // Never echo driver errors (they can carry connection details); log them instead.
            logger.warning("health: database check failed", metadata: ["error": "\(String(reflecting: error))"])
            return DatabaseHealth(status: "unavailable", roundTripMs: nil, serverVersion: nil, error: "database query failed")
        }
    }
}

struct HealthTimeout: Error {}

func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw HealthTimeout()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = Foundation.pow(10.0, Double(places))  // qualified: swift-numerics (via AsyncHTTPClient) adds a static Double.pow
        return (self * factor).rounded() / factor
    }
}
