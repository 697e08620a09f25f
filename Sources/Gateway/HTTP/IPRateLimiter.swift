import Foundation
import NIOConcurrencyHelpers

/// Per-client-IP limits for what anyone on the internet can call (anon RPCs, the password grant,
/// signup, recovery): at most `limit` requests per `window` per IP, in fixed windows.
///
/// Fixed windows rather than a sliding log: memory is one counter per active IP, and the table is
/// swept when a window turns over, so an attacker rotating addresses cannot grow it without bound
/// for longer than one window. Limits hold per process (each gateway replica counts its own).
public final class IPRateLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let state = NIOLockedValueBox(State())

    private struct State {
        var windowStart: TimeInterval = 0
        var counts: [String: Int] = [:]
    }

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Counts one request from `ip`; nil when allowed, else the seconds until the window resets.
    public func hit(_ ip: String, now: TimeInterval = Date().timeIntervalSince1970) -> Int? {
        guard limit > 0 else { return nil }
        return state.withLockedValue { state in
            if now - state.windowStart >= window {
                state.windowStart = now - now.truncatingRemainder(dividingBy: window)
                state.counts.removeAll(keepingCapacity: true)
            }
            let count = (state.counts[ip] ?? 0) + 1
            state.counts[ip] = count
            guard count > limit else { return nil }
            return max(1, Int((state.windowStart + window - now).rounded(.up)))
        }
    }
}
