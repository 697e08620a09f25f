import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Realtime's part of `/health/all`: whether the change feed's LISTEN connection is up, how far
/// the feed has been read and how long ago, and what this process holds. A feed that is not
/// listening still polls (BANQUET_REALTIME_POLL_MS), so changes arrive late rather than never;
/// the check says "degraded" all the same, as it does for the job runtime's LISTEN connection.
struct RealtimeHealth: ResponseCodable {
    var status: String
    var listening: Bool
    /// The newest feed id delivered; nil until the first read.
    var feedPosition: Int64?
    var lastReadSecondsAgo: Double?
    var sockets: Int
    var channels: Int
}

/// What the change feed reports as it runs, read by the health route.
final class RealtimeFeedStatus: Sendable {
    private struct State {
        var listening = false
        var position: Int64?
        var lastRead: Date?
    }

    private let state = NIOLockedValueBox(State())

    func listening(_ connected: Bool) { state.withLockedValue { $0.listening = connected } }

    func read(through position: Int64) {
        state.withLockedValue {
            $0.position = position
            $0.lastRead = Date()
        }
    }

    func health(sockets: Int, channels: Int) -> RealtimeHealth {
        state.withLockedValue { state in
            RealtimeHealth(status: state.listening ? "ok" : "degraded", listening: state.listening, feedPosition: state.position,
                           lastReadSecondsAgo: state.lastRead.map { Date().timeIntervalSince($0).rounded(toPlaces: 3) },
                           sockets: sockets, channels: channels)
        }
    }
}
