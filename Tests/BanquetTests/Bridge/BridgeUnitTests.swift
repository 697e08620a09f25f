import BanquetCore
@testable import BridgeRuntime
import Foundation
import Testing

@Suite("Bridge runtime units")
struct BridgeUnitTests {
    @Test func configurationFromEnvironment() throws {
        let config = try BridgeConfiguration.fromEnvironment(Environment([
            "BANQUET_WORKER_ID": "w1",
            "BANQUET_QUEUES": "email=4, llm=2,*=8",
            "BANQUET_POLL_INTERVAL_MS": "250",
            "BANQUET_RATE_LIMITS": "whatsapp:account=80/1s,whatsapp:recipient=1/6s",
        ]))
        #expect(config.workerID == "w1")
        #expect(config.queues == ["email": 4, "llm": 2])
        #expect(config.wildcardConcurrency == 8)
        #expect(config.pollInterval == .milliseconds(250))
        #expect(config.heartbeatInterval == .seconds(10))
        #expect(config.rateLimits["whatsapp:account"] == RateLimit(count: 80, per: .seconds(1)))
        #expect(config.rateLimits["whatsapp:recipient"] == RateLimit(count: 1, per: .seconds(6)))
        let defaults = try BridgeConfiguration.fromEnvironment(Environment([:]))
        #expect(defaults.queues.isEmpty && defaults.wildcardConcurrency == 4 && defaults.claimBatchSize == 32)
        #expect(defaults.pruneRetention == .seconds(168 * 3600))
    }

    @Test func badConfigurationSaysWhatToWrite() {
        #expect(throws: BanquetError.self) { try BridgeConfiguration.fromEnvironment(Environment(["BANQUET_QUEUES": "email"])) }
        #expect(throws: BanquetError.self) { try BridgeConfiguration.fromEnvironment(Environment(["BANQUET_RATE_LIMITS": "x=fast"])) }
        #expect(throws: BanquetError.self) { try BridgeConfiguration.fromEnvironment(Environment(["BANQUET_POLL_INTERVAL_MS": "soon"])) }
    }

    @Test func slidingWindowAllowsCountPerWindowAndSaysHowLongToWait() async {
        let limiter = RateLimiter(limits: ["r": RateLimit(count: 2, per: .seconds(6))])
        let key = RateLimitKey(name: "r", value: "+1555")
        let t0 = ContinuousClock.now
        #expect(await limiter.reserve([key], now: t0) == nil)
        #expect(await limiter.reserve([key], now: t0 + .seconds(1)) == nil)
        #expect(await limiter.reserve([key], now: t0 + .seconds(2)) == .seconds(4))
        #expect(await limiter.reserve([key], now: t0 + .seconds(6)) == nil)
        // Another recipient has its own window; an unconfigured key is not limited.
        #expect(await limiter.reserve([RateLimitKey(name: "r", value: "+1666")], now: t0 + .seconds(2)) == nil)
        #expect(await limiter.reserve([RateLimitKey(name: "other", value: "x")], now: t0 + .seconds(2)) == nil)
    }

    @Test func circuitBreakerStates() async {
        let breaker = CircuitBreaker(policy: .init(failureThreshold: 2, openDuration: .seconds(10)))
        let t0 = ContinuousClock.now
        #expect(await breaker.admit("p", now: t0) == .allowed)
        await breaker.recordFailure("p", now: t0)
        #expect(await breaker.state(of: "p") == .closed(consecutiveFailures: 1))
        await breaker.recordFailure("p", now: t0)
        #expect(await breaker.admit("p", now: t0 + .seconds(4)) == .rejected(retryAfter: .seconds(6)))
        // Half-open: one probe, the others wait.
        #expect(await breaker.admit("p", now: t0 + .seconds(10)) == .allowed)
        #expect(await breaker.state(of: "p") == .halfOpen(probeInFlight: true))
        #expect(await breaker.admit("p", now: t0 + .seconds(10)) == .rejected(retryAfter: .seconds(1)))
        // A failed probe re-opens; a successful one closes.
        await breaker.recordFailure("p", now: t0 + .seconds(11))
        #expect(await breaker.admit("p", now: t0 + .seconds(12)) == .rejected(retryAfter: .seconds(9)))
        #expect(await breaker.admit("p", now: t0 + .seconds(21)) == .allowed)
        await breaker.recordSuccess("p")
        #expect(await breaker.state(of: "p") == .closed(consecutiveFailures: 0))
    }
}
