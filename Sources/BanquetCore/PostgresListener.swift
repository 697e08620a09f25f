import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// LISTEN on one or more channels over a dedicated connection that is reopened, with exponential
/// backoff, whenever it drops — for as long as the calling task runs.
///
/// NOTIFY is only a hint: a notification sent while the connection was down is lost. So every
/// (re)connect is reported as `.connected` once all channels are subscribed, and the consumer
/// catches up then (the bridge claims at once; realtime re-reads what changed). postgres-nio's
/// `PostgresClient` has no `listen`, hence the dedicated `PostgresConnection`.
public struct PostgresListener: Sendable {
    public enum Event: Sendable, Equatable {
        /// Every channel is subscribed. `reconnects` counts the connections lost before this one.
        case connected(reconnects: Int)
        case notification(channel: String, payload: String)
        /// The connection is gone; the listener reconnects after `retryIn`.
        case disconnected(error: String, retryIn: Duration)
    }

    public var url: DatabaseURL
    public var channels: [String]
    public var applicationName: String
    public var backoffInitial: Duration
    public var backoffMax: Duration
    public var logger: Logger

    public init(url: DatabaseURL, channels: [String], applicationName: String = "banquet-listen",
                backoffInitial: Duration = .milliseconds(100), backoffMax: Duration = .seconds(5), logger: Logger) {
        self.url = url
        self.channels = channels
        self.applicationName = applicationName
        self.backoffInitial = backoffInitial
        self.backoffMax = backoffMax
        self.logger = logger
    }

    /// Listens until the calling task is cancelled; `onEvent` is called in order, one at a time
    /// per channel.
    public func run(onEvent: @escaping @Sendable (Event) async -> Void) async {
        var backoff = backoffInitial
        var reconnects = 0
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            var failure = "connection closed"
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: url.connectionConfiguration(applicationName: applicationName), id: connectionID, logger: logger)
                let subscribed = NIOLockedValueBox(0)
                let total = channels.count
                let sessionReconnects = reconnects
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for channel in channels {
                            group.addTask {
                                try await connection.listen(on: channel) { notifications in
                                    let all = subscribed.withLockedValue { count -> Bool in
                                        count += 1
                                        return count == total
                                    }
                                    if all { await onEvent(.connected(reconnects: sessionReconnects)) }
                                    for try await notification in notifications {
                                        await onEvent(.notification(channel: channel, payload: notification.payload))
                                    }
                                }
                            }
                        }
                        // One channel's stream ending means the connection is gone: drop the rest too.
                        try await group.next()
                        group.cancelAll()
                    }
                } catch {
                    failure = DatabaseError.describe(error)
                }
                try? await connection.close()
                // A connection that got as far as subscribing was healthy: start backing off afresh.
                if subscribed.withLockedValue({ $0 }) == total { backoff = backoffInitial }
            } catch {
                failure = DatabaseError.describe(error)
            }
            if Task.isCancelled { break }
            reconnects += 1
            await onEvent(.disconnected(error: failure, retryIn: backoff))
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, backoffMax)
        }
    }
}
