import Foundation
import Logging

/// Periodic work every daemon does; the SQL makes each safe to run from many processes at once.
extension BridgeService {
    /// Heartbeats every in-flight job each interval; a job the database no longer gives us
    /// (cancelled by an operator, or reclaimed after a stall) has its handler cancelled.
    func heartbeatLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { return }
            let leases = state.withLockedValue { state in state.inFlight.map { (id: $0.key, token: $0.value.token) } }
            guard !leases.isEmpty else { continue }
            do {
                let owned = try await store.heartbeat(leases, leaseSeconds: configuration.leaseSeconds)
                for lease in leases where !owned.contains(lease.id) {
                    let lost = state.withLockedValue { $0.inFlight[lease.id]?.leaseLost }
                    if let lost {
                        logger.warning("bridge: job no longer owned (cancelled or reclaimed), stopping it", metadata: ["job_id": "\(lease.id)"])
                        lost.finish()
                    }
                }
            } catch {
                logger.warning("bridge: heartbeat failed", metadata: ["error": "\(JobStore.describe(error))", "jobs": "\(leases.count)"])
            }
        }
    }

    /// Fires due schedules every `scheduleInterval`, refreshes queue depth gauges every
    /// `statsInterval` and prunes finished jobs every `pruneInterval` (first right at start).
    func maintenanceLoop() async {
        var lastStats: ContinuousClock.Instant?
        var lastPrune: ContinuousClock.Instant?
        var gaugedQueues: Set<String> = []
        while !Task.isCancelled {
            let now = ContinuousClock.now
            do {
                let fired = try await store.fireDueSchedules()
                if fired > 0 { logger.info("bridge: fired schedules", metadata: ["count": "\(fired)"]) }
            } catch {
                logger.warning("bridge: firing schedules failed", metadata: ["error": "\(JobStore.describe(error))"])
            }
            if lastStats.map({ now - $0 >= configuration.statsInterval }) ?? true {
                lastStats = now
                do {
                    let depths = try await store.queueDepth()
                    let seen = Set(depths.map(\.queue))
                    for depth in depths {
                        BridgeMetrics.queueDepth(depth.queue, status: "due", depth.due)
                        BridgeMetrics.queueDepth(depth.queue, status: "scheduled", depth.scheduled)
                        BridgeMetrics.queueDepth(depth.queue, status: "running", depth.running)
                    }
                    for queue in gaugedQueues.subtracting(seen) {
                        for status in ["due", "scheduled", "running"] { BridgeMetrics.queueDepth(queue, status: status, 0) }
                    }
                    gaugedQueues = seen
                } catch {
                    logger.warning("bridge: reading queue depth failed", metadata: ["error": "\(JobStore.describe(error))"])
                }
            }
            if lastPrune.map({ now - $0 >= configuration.pruneInterval }) ?? true {
                lastPrune = now
                do {
                    let pruned = try await store.prune(retention: configuration.pruneRetention)
                    if pruned > 0 { logger.info("bridge: pruned finished jobs", metadata: ["count": "\(pruned)"]) }
                } catch {
                    logger.warning("bridge: pruning failed", metadata: ["error": "\(JobStore.describe(error))"])
                }
            }
            do { try await Task.sleep(for: configuration.scheduleInterval) } catch { return }
        }
    }
}
