import NIOConcurrencyHelpers

/// A socket's outgoing queue: every server message for the socket goes through it, and one writer
/// task drains it in order. Bounded: a client that stops reading is disconnected (it reconnects and
/// resubscribes) instead of buffering without limit or dropping messages silently.
final class RealtimeOutbox: Sendable {
    static let limit = 10_000

    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let overflowed = NIOLockedValueBox(false)

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(Self.limit))
    }

    func send(_ text: String) {
        if case .dropped = continuation.yield(text) {
            overflowed.withLockedValue { $0 = true }
            continuation.finish()
        }
    }

    /// The client fell `limit` messages behind.
    var didOverflow: Bool { overflowed.withLockedValue { $0 } }

    func finish() { continuation.finish() }
}
