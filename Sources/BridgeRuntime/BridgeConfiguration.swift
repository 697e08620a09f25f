import BanquetCore
import Foundation

/// Everything an operator can tune about the job runtime, read from `BANQUET_*` variables.
public struct BridgeConfiguration: Sendable {
    /// Names this process in `bridge.jobs.locked_by` and in logs.
    public var workerID: String
    /// The `banquet serve --role` this runtime runs under, recorded in `bridge.workers`.
    public var role: String
    /// Per-queue concurrency. `wildcardConcurrency` serves every queue not named here.
    public var queues: [String: Int]
    /// Concurrency for queues not listed in `queues` (`*=N`); nil means only the listed queues run.
    public var wildcardConcurrency: Int?
    /// Fallback poll interval: NOTIFY is only a hint, so the daemon also looks on this cadence.
    public var pollInterval: Duration
    /// Most jobs one claim call takes.
    public var claimBatchSize: Int
    public var leaseSeconds: Int
    /// Jobs running longer than this are heartbeated (lease/3 by default).
    public var heartbeatInterval: Duration
    /// On SIGTERM, how long in-flight jobs may keep running before they are released.
    public var shutdownGrace: Duration
    /// How often `bridge.fire_due_schedules()` runs.
    public var scheduleInterval: Duration
    /// How often finished jobs are pruned, and how long they are kept.
    public var pruneInterval: Duration
    public var pruneRetention: Duration
    /// How often queue depth gauges are refreshed from `bridge.stats()`.
    public var statsInterval: Duration
    public var rateLimits: [String: RateLimit]
    public var circuitBreaker: CircuitBreakerPolicy
    /// A rate-limited job waits locally for its slot up to this long; beyond it the job is
    /// released back to the queue with a later run_at, so it does not hold a worker slot.
    public var maxRateLimitWait: Duration
    /// LISTEN reconnect backoff.
    public var reconnectBackoffInitial: Duration
    public var reconnectBackoffMax: Duration

    public init(
        workerID: String = BridgeConfiguration.defaultWorkerID(),
        role: String = "all",
        queues: [String: Int] = [:],
        wildcardConcurrency: Int? = 4,
        pollInterval: Duration = .seconds(1),
        claimBatchSize: Int = 32,
        leaseSeconds: Int = 30,
        heartbeatInterval: Duration? = nil,
        shutdownGrace: Duration = .seconds(10),
        scheduleInterval: Duration = .seconds(5),
        pruneInterval: Duration = .seconds(3600),
        pruneRetention: Duration = .seconds(168 * 3600),
        statsInterval: Duration = .seconds(15),
        rateLimits: [String: RateLimit] = [:],
        circuitBreaker: CircuitBreakerPolicy = CircuitBreakerPolicy(),
        maxRateLimitWait: Duration = .seconds(2),
        reconnectBackoffInitial: Duration = .milliseconds(100),
        reconnectBackoffMax: Duration = .seconds(5)
    ) {
        self.workerID = workerID
        self.role = role
        self.queues = queues
        self.wildcardConcurrency = wildcardConcurrency
        self.pollInterval = pollInterval
        self.claimBatchSize = claimBatchSize
        self.leaseSeconds = leaseSeconds
        self.heartbeatInterval = heartbeatInterval ?? .seconds(Double(leaseSeconds) / 3)
        self.shutdownGrace = shutdownGrace
        self.scheduleInterval = scheduleInterval
        self.pruneInterval = pruneInterval
        self.pruneRetention = pruneRetention
        self.statsInterval = statsInterval
        self.rateLimits = rateLimits
        self.circuitBreaker = circuitBreaker
        self.maxRateLimitWait = maxRateLimitWait
        self.reconnectBackoffInitial = reconnectBackoffInitial
        self.reconnectBackoffMax = reconnectBackoffMax
    }

    /// The most jobs this runtime runs at once, across its queue pools: what a connector shared by
    /// all of them (an HTTP client's connection pool) must be sized for, so jobs never wait inside
    /// it while they hold a slot and their timeout runs.
    public var maxConcurrency: Int {
        queues.values.reduce(wildcardConcurrency ?? 0, +)
    }

    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Reads the configuration; every variable is optional and documented in docs/bridge-runtime.md.
    public static func fromEnvironment(_ env: Environment) throws -> BridgeConfiguration {
        let (queues, wildcard) = try parseQueues(env.string("BANQUET_QUEUES", default: "*=4"))
        let lease = try env.int("BANQUET_LEASE_SECONDS", default: 30)
        guard lease >= 3 else { throw BanquetError.configuration("BANQUET_LEASE_SECONDS must be at least 3, got \(lease)") }
        let batch = try env.int("BANQUET_CLAIM_BATCH", default: 32)
        guard batch >= 1 else { throw BanquetError.configuration("BANQUET_CLAIM_BATCH must be at least 1, got \(batch)") }
        let poll = try env.int("BANQUET_POLL_INTERVAL_MS", default: 1000)
        guard poll >= 10 else { throw BanquetError.configuration("BANQUET_POLL_INTERVAL_MS must be at least 10, got \(poll)") }
        return BridgeConfiguration(
            workerID: env.optionalString("BANQUET_WORKER_ID") ?? defaultWorkerID(),
            queues: queues,
            wildcardConcurrency: wildcard,
            pollInterval: .milliseconds(poll),
            claimBatchSize: batch,
            leaseSeconds: lease,
            shutdownGrace: .seconds(try env.int("BANQUET_SHUTDOWN_GRACE_SECONDS", default: 10)),
            scheduleInterval: .milliseconds(try env.int("BANQUET_SCHEDULE_INTERVAL_MS", default: 5000)),
            pruneInterval: .seconds(try env.int("BANQUET_PRUNE_INTERVAL_SECONDS", default: 3600)),
            pruneRetention: .seconds(try env.int("BANQUET_JOB_RETENTION_HOURS", default: 168) * 3600),
            statsInterval: .milliseconds(try env.int("BANQUET_STATS_INTERVAL_MS", default: 15000)),
            rateLimits: try parseRateLimits(env.string("BANQUET_RATE_LIMITS", default: "")),
            circuitBreaker: CircuitBreakerPolicy(
                failureThreshold: try env.int("BANQUET_BREAKER_FAILURES", default: 5),
                openDuration: .seconds(try env.int("BANQUET_BREAKER_OPEN_SECONDS", default: 30))
            ),
            maxRateLimitWait: .milliseconds(try env.int("BANQUET_RATE_LIMIT_MAX_WAIT_MS", default: 2000))
        )
    }

    /// `"email=4,llm=2,*=4"` → per-queue concurrency plus the wildcard's.
    static func parseQueues(_ spec: String) throws -> ([String: Int], Int?) {
        var queues: [String: Int] = [:]
        var wildcard: Int?
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let n = Int(parts[1]), n >= 1 else {
                throw BanquetError.configuration("BANQUET_QUEUES items look like queue=concurrency (e.g. email=4,*=4), got '\(item)'")
            }
            if parts[0] == "*" { wildcard = n } else { queues[parts[0]] = n }
        }
        guard !queues.isEmpty || wildcard != nil else {
            throw BanquetError.configuration("BANQUET_QUEUES names no queue; use e.g. '*=4'")
        }
        return (queues, wildcard)
    }

    /// `"whatsapp:account=80/1s,whatsapp:recipient=1/6s"` → limits by key name.
    static func parseRateLimits(_ spec: String) throws -> [String: RateLimit] {
        var limits: [String: RateLimit] = [:]
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let limit = RateLimit(parts[1]) else {
                throw BanquetError.configuration("BANQUET_RATE_LIMITS items look like name=count/window (e.g. whatsapp:recipient=1/6s, window in ms, s, m or h), got '\(item)'")
            }
            limits[parts[0]] = limit
        }
        return limits
    }
}

/// At most `count` starts in any window of length `window`.
public struct RateLimit: Sendable, Equatable {
    public var count: Int
    public var window: Duration

    public init(count: Int, per window: Duration) {
        self.count = count
        self.window = window
    }

    /// Parses `80/1s`, `1/6s`, `100/500ms`, `10/1m`, `1000/1h`.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]), count >= 1 else { return nil }
        var unit = String(parts[1])
        var multiplier: Double
        if unit.hasSuffix("ms") { multiplier = 0.001; unit.removeLast(2) }
        else if unit.hasSuffix("s") { multiplier = 1; unit.removeLast() }
        else if unit.hasSuffix("m") { multiplier = 60; unit.removeLast() }
        else if unit.hasSuffix("h") { multiplier = 3600; unit.removeLast() }
        else { return nil }
        let amount = unit.isEmpty ? 1 : Double(unit)
        guard let amount, amount > 0 else { return nil }
        self.count = count
        self.window = .seconds(amount * multiplier)
    }
}

public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive failures that open the breaker.
    public var failureThreshold: Int
    /// How long an open breaker rejects calls before one probe is let through.
    public var openDuration: Duration

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }
}
