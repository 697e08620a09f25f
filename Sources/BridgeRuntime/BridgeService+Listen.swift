import BanquetCore
import Foundation
import Logging

/// Wake-ups: NOTIFY on `bridge_jobs` through the shared `PostgresListener`, and the fallback poll
/// for when a notification is lost.
extension BridgeService {
    public static let channel = "bridge_jobs"

    /// Every (re)connect rings at once: notifications sent while we were away are lost, so we
    /// catch up by claiming.
    func listenLoop() async {
        await listener.run { event in
            switch event {
            case .connected(let reconnects):
                self.state.withLockedValue {
                    $0.listenConnected = true
                    $0.listenReconnects = reconnects
                }
                self.logger.info("bridge: listening", metadata: ["channel": "\(Self.channel)"])
                self.doorbell.ring()
            case .notification(_, let payload):
                self.doorbell.ring(self.pools(forNotification: payload))
            case .disconnected(let error, let retryIn):
                self.state.withLockedValue { $0.listenConnected = false }
                BridgeMetrics.listenReconnect()
                self.logger.warning("bridge: LISTEN connection lost, reconnecting", metadata: ["error": "\(error)", "backoff": "\(retryIn)"])
            }
        }
        state.withLockedValue { $0.listenConnected = false }
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
