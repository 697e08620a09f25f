import Foundation

/// `Retry-After` (RFC 9110 §10.2.3): how long a provider asks us to wait before trying again.
///
/// Honouring it is what keeps a rate-limited account from being throttled harder: the job
/// runtime schedules the next attempt no earlier than this.
public enum RetryAfter {
    /// Either delta-seconds (`120`) or an HTTP date in any of its three forms.
    /// A date in the past means "now" (`.zero`); anything unreadable is nil, so the caller falls
    /// back to its own backoff instead of trusting a guess.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) {
            // More digits than Int64 holds is still "a very long time", not garbage.
            return .seconds(Int64(trimmed) ?? .max)
        }
        guard let date = HTTPDate.parse(trimmed, now: now) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }
}
