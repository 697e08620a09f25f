/// One breaker per provider: closed → open after N consecutive failures; open rejects at once
/// until its time is up; then half-open lets exactly one probe through, whose outcome closes or
/// re-opens it.
actor CircuitBreaker {
    enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    enum Admission: Sendable, Equatable {
        case allowed
        /// Rejected without calling the provider; retry after this long.
        case rejected(retryAfter: Duration)
    }

    private let policy: CircuitBreakerPolicy
    private var states: [String: State] = [:]

    init(policy: CircuitBreakerPolicy) {
        self.policy = policy
    }

    func state(of provider: String) -> State {
        states[provider] ?? .closed(consecutiveFailures: 0)
    }

    func admit(_ provider: String, now: ContinuousClock.Instant = .now) -> Admission {
        switch state(of: provider) {
        case .closed:
            return .allowed
        case .open(let until) where now < until:
            return .rejected(retryAfter: until - now)
        case .open, .halfOpen(probeInFlight: false):
            states[provider] = .halfOpen(probeInFlight: true)
            return .allowed
        case .halfOpen(probeInFlight: true):
            // One probe at a time; the others come back when it has had time to answer.
            return .rejected(retryAfter: min(policy.openDuration, .seconds(1)))
        }
    }

    func recordSuccess(_ provider: String) {
        states[provider] = .closed(consecutiveFailures: 0)
    }

    /// Returns true when this failure opened the breaker.
    @discardableResult
    func recordFailure(_ provider: String, now: ContinuousClock.Instant = .now) -> Bool {
        switch state(of: provider) {
        case .closed(let failures) where failures + 1 < policy.failureThreshold:
            states[provider] = .closed(consecutiveFailures: failures + 1)
            return false
        case .open:
            return false
        default:
            states[provider] = .open(until: now + policy.openDuration)
            return true
        }
    }

    /// A probe that ended without a verdict on the provider (e.g. released on shutdown).
    func recordAbandoned(_ provider: String) {
        if case .halfOpen = state(of: provider) { states[provider] = .halfOpen(probeInFlight: false) }
    }
}
