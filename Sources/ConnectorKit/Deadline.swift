/// Thrown by `withDeadline` when the operation was still running at its deadline.
struct DeadlineExceeded: Error {}

/// Runs `operation`, cancelling it at `deadline`.
///
/// A per-call deadline has to bound the whole exchange (a server that sends headers and then
/// trickles the body must not hold a job past its timeout), and cancellation is the one signal
/// every async API here honours.
func withDeadline<Value: Sendable>(
    _ deadline: ContinuousClock.Instant, operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
