import NIOConcurrencyHelpers

/// Wakes the claim loop. Rings coalesce: many NOTIFYs or finished jobs while a claim is running
/// become one more claim round, and each round knows which queue pools asked for it.
final class Doorbell: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// nil means "every pool".
    private let pending = NIOLockedValueBox<Set<String>?>(Set())

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Ring for specific pools, or for all of them when `pools` is nil.
    func ring(_ pools: Set<String>? = nil) {
        pending.withLockedValue { current in
            if let pools, let existing = current { current = existing.union(pools) } else { current = nil }
        }
        continuation.yield()
    }

    func finish() {
        continuation.finish()
    }

    enum Wake: Sendable, Equatable {
        case all
        case pools(Set<String>)
    }

    /// Waits for the next ring and says which pools it was for; nil once the bell is finished or
    /// the task is cancelled.
    func next(_ iterator: inout AsyncStream<Void>.Iterator) async -> Wake? {
        guard await iterator.next() != nil else { return nil }
        return pending.withLockedValue { current in
            defer { current = Set() }
            return current.map(Wake.pools) ?? .all
        }
    }

    func makeIterator() -> AsyncStream<Void>.Iterator {
        stream.makeAsyncIterator()
    }
}
