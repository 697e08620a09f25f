/// Per-key sliding-window limits: at most `count` starts in any window of `window`.
///
/// A sliding log (the start times of the last `count` starts per key) rather than a token bucket,
/// because a bucket allows a burst of 2×count across a window boundary and WhatsApp's limits are
/// stated per window. Limits hold per process; docs/bridge-runtime.md explains sizing for replicas.
actor RateLimiter {
    private let limits: [String: RateLimit]
    private var starts: [RateLimitKey: [ContinuousClock.Instant]] = [:]

    init(limits: [String: RateLimit]) {
        self.limits = limits
    }

    /// Reserves one start on every key, or returns how long to wait before every key has room.
    /// Nothing is reserved unless all keys have room, so a job never holds half a reservation.
    func reserve(_ keys: [RateLimitKey], now: ContinuousClock.Instant = .now) -> Duration? {
        var wait: Duration = .zero
        for key in keys {
            guard let limit = limits[key.name] else { continue }
            let recent = prune(key, limit: limit, now: now)
            if recent.count >= limit.count {
                // Room opens when the oldest start in the window leaves it.
                wait = max(wait, recent[recent.count - limit.count] + limit.window - now)
            }
        }
        if wait > .zero { return wait }
        for key in keys where limits[key.name] != nil {
            starts[key, default: []].append(now)
        }
        return nil
    }

    private func prune(_ key: RateLimitKey, limit: RateLimit, now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        let kept = (starts[key] ?? []).filter { now - $0 < limit.window }
        starts[key] = kept
        return kept
    }
}
