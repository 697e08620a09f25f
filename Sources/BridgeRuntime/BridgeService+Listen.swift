import Foundation
import Logging
import PostgresNIO

/// Wake-ups: a dedicated LISTEN connection, and the fallback poll for when NOTIFY is lost.
extension BridgeService {
    static let channel = "bridge_jobs"

    /// Keeps one LISTEN connection open, reconnecting with exponential backoff. Every (re)connect
    /// rings at once: notifications sent while we were away are lost, so we catch up by claiming.
    func listenLoop() async {
        var backoff = configuration.reconnectBackoffInitial
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: listenURL.connectionConfiguration(applicationName: "banquet-bridge-listen"),
                    id: connectionID, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        state.withLockedValue { $0.listenConnected = true }
                        backoff = configuration.reconnectBackoffInitial
                        logger.info("bridge: listening", metadata: ["channel": "\(Self.channel)"])
                        doorbell.ring()
                        for try await notification in notifications {
                            doorbell.ring(pools(forNotification: notification.payload))
                        }
                    }
                    try? await connection.close()
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("bridge: LISTEN connection lost, reconnecting", metadata: ["error": "\(JobStore.describe(error))", "backoff": "\(backoff)"])
                }
            }
            state.withLockedValue { $0.listenConnected = false }
            if Task.isCancelled { break }
            state.withLockedValue { $0.listenReconnects += 1 }
            BridgeMetrics.listenReconnect()
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, configuration.reconnectBackoffMax)
        }
    }

    /// The payload names the queues with new work (comma-separated); empty means "look everywhere".
    func pools(forNotification payload: String) -> Set<String>? {
        let queues = payload.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !queues.isEmpty else { return nil }
        return Set(queues.compactMap { pool(forQueue: $0) })
    }

    func pollTicker() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.pollInterval) } catch { return }
            doorbell.ring()
        }
    }
}
