import BanquetCore
import Foundation
import Logging

/// Periodic work every daemon does; the SQL makes each safe to run from many processes at once.
extension BridgeService {
    /// Heartbeats every in-flight job each interval; a job the database no longer gives us
    /// (cancelled by an operator, or reclaimed after a stall) has its handler cancelled. Jobs whose
    /// outcome is being written are left out: their lease ends with that write, and including them
    /// made the heartbeat race their completion for the same rows.
    func heartbeatLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { return }
            let leases = state.withLockedValue { state in
                state.inFlight.compactMap { id, job in job.reporting ? nil : (id: id, token: job.token) }
            }
            guard !leases.isEmpty else { continue }
            do {
                let owned = try await store.heartbeat(leases, leaseSeconds: configuration.leaseSeconds)
                for lease in leases where !owned.contains(lease.id) {
                    // Checked again now: the job may have finished while the heartbeat ran.
                    if let handler = stop(lease.id, token: lease.token, reason: .leaseLost) {
                        logger.warning("bridge: job no longer owned (cancelled or reclaimed), stopping it", metadata: ["job_id": "\(lease.id)"])
                        handler?.cancel()
                    }
                }
            } catch {
                logger.warning("bridge: heartbeat failed", metadata: ["error": "\(DatabaseError.describe(error))", "jobs": "\(leases.count)"])
            }
        }
    }

    /// Cancels handlers that ran past their kind's timeout. One loop for all jobs instead of a
    /// timer task per job; it looks ten times a second, so a timeout fires within 100 ms.
    func deadlineLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
            let now = ContinuousClock.now
            let expired = state.withLockedValue { state in
                state.inFlight.compactMap { id, job in job.deadline <= now && job.stop == nil && !job.reporting ? (id, job.token) : nil }
            }
            for (id, token) in expired {
                if let handler = stop(id, token: token, reason: .timedOut) { handler?.cancel() }
            }
        }
    }

    /// Records why the runtime stops a job that is still running its handler (same lease, not yet
    /// reporting, not already stopped); returns its handler task (nil inside if it has not started,
    /// in which case it will not), or nil when there is nothing to stop.
    private func stop(_ id: Int64, token: UUID, reason: RuntimeState.StopReason) -> Task<JobResult, any Error>?? {
        state.withLockedValue { state -> Task<JobResult, any Error>?? in
            guard let job = state.inFlight[id], job.token == token, !job.reporting, job.stop == nil else { return nil }
            state.inFlight[id]?.stop = reason
            return .some(job.handler)
        }
    }

    /// Fires due schedules every `scheduleInterval`, refreshes queue depth gauges every
    /// `statsInterval` and prunes finished jobs every `pruneInterval` (first right at start).
    /// Also tells the database, each round, which kinds this daemon runs (bridge.worker_seen), so
    /// jobs of kinds no live daemon runs show as unhandled.
    func maintenanceLoop() async {
        var lastStats: ContinuousClock.Instant?
        var gaugedUnhandled: [String: String] = [:]  // kind → queue, to zero a gauge once handled
        var lastPrune: ContinuousClock.Instant?
        var gaugedQueues: Set<String> = []
        while !Task.isCancelled {
            let now = ContinuousClock.now
            do {
                try await store.workerSeen(worker: configuration.workerID, role: configuration.role, kinds: registry.kinds)
            } catch {
                logger.warning("bridge: recording this worker's kinds failed", metadata: ["error": "\(DatabaseError.describe(error))"])
            }
            do {
                let fired = try await store.fireDueSchedules()
                if fired > 0 { logger.info("bridge: fired schedules", metadata: ["count": "\(fired)"]) }
            } catch {
                logger.warning("bridge: firing schedules failed", metadata: ["error": "\(DatabaseError.describe(error))"])
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
                    let unhandled = try await admin.unhandledKinds()
                    for kind in unhandled {
                        BridgeMetrics.unhandled(kind: kind.kind, queue: kind.queue, due: kind.due, oldestAge: kind.oldestDueAge)
                        if gaugedUnhandled[kind.kind] == nil {
                            logger.warning("bridge: jobs waiting for a kind no running daemon handles", metadata: [
                                "kind": "\(kind.kind)", "due": "\(kind.due)", "oldest_age": "\(kind.oldestDueAge)"])
                        }
                    }
                    let unhandledNow = Dictionary(unhandled.map { ($0.kind, $0.queue) }, uniquingKeysWith: { first, _ in first })
                    for (kind, queue) in gaugedUnhandled where unhandledNow[kind] == nil {
                        BridgeMetrics.unhandled(kind: kind, queue: queue, due: 0, oldestAge: .zero)
                    }
                    gaugedUnhandled = unhandledNow
                } catch {
                    logger.warning("bridge: reading queue depth failed", metadata: ["error": "\(DatabaseError.describe(error))"])
                }
            }
            if lastPrune.map({ now - $0 >= configuration.pruneInterval }) ?? true {
                lastPrune = now
                do {
                    let pruned = try await store.prune(retention: configuration.pruneRetention)
                    if pruned > 0 { logger.info("bridge: pruned finished jobs", metadata: ["count": "\(pruned)"]) }
                } catch {
                    logger.warning("bridge: pruning failed", metadata: ["error": "\(DatabaseError.describe(error))"])
                }
            }
            do { try await Task.sleep(for: configuration.scheduleInterval) } catch { return }
        }
    }
}
