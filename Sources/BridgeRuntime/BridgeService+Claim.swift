import BanquetCore
import Foundation
import Logging

/// The claim loop: one round per doorbell ring, one claim per pool with enough free slots.
extension BridgeService {
    /// A pool is a set of queues sharing one concurrency limit: each configured queue is its own
    /// pool; the wildcard pool serves every other queue.
    struct Pool: Sendable {
        var name: String
        var concurrency: Int
    }

    var pools: [Pool] {
        var pools = configuration.queues.sorted { $0.key < $1.key }.map { Pool(name: $0.key, concurrency: $0.value) }
        if let wildcard = configuration.wildcardConcurrency { pools.append(Pool(name: Self.wildcardPool, concurrency: wildcard)) }
        return pools
    }

    /// The pool that runs jobs of `queue`, if this daemon serves it.
    func pool(forQueue queue: String) -> String? {
        if configuration.queues[queue] != nil { return queue }
        return configuration.wildcardConcurrency == nil ? nil : Self.wildcardPool
    }

    func claimLoop() async {
        var wakes = doorbell.makeIterator()
        await withDiscardingTaskGroup { jobs in
            while let wake = await doorbell.next(&wakes) {
                if state.withLockedValue({ $0.shuttingDown }) { break }
                state.withLockedValue { $0.lastPollAt = Date() }
                for pool in pools {
                    if case .pools(let names) = wake, !names.contains(pool.name) { continue }
                    await claimRound(pool) { job in
                        jobs.addTask { await self.execute(job, pool: pool) }
                    }
                }
            }
            await drainInFlight()
        }
    }

    /// Free slots a pool waits for before claiming again while it has a backlog: a quarter of its
    /// concurrency, so a busy pool claims batches rather than one job per freed slot; 1 for small
    /// pools, which keeps their latency.
    func refillThreshold(_ pool: Pool) -> Int {
        max(1, min(pool.concurrency, configuration.claimBatchSize) / 4)
    }

    /// Claims for one pool until its slots are full or its queues have no more due jobs.
    private func claimRound(_ pool: Pool, start: (ClaimedJob) -> Void) async {
        while !state.withLockedValue({ $0.shuttingDown }) {
            let free = pool.concurrency - state.withLockedValue { $0.runningPerPool[pool.name, default: 0] }
            guard free > 0 else {
                // Full: a job finishing in this pool should look again.
                state.withLockedValue { _ = $0.backlog.insert(pool.name) }
                return
            }
            let limit = min(free, configuration.claimBatchSize)
            let claimed: [ClaimedJob]
            do {
                guard let queues = try await queues(for: pool) else { return }
                claimed = try await store.claim(worker: configuration.workerID, queues: queues.isEmpty ? nil : queues,
                                                kinds: registry.kinds, limit: limit, leaseSeconds: configuration.leaseSeconds)
            } catch {
                logger.warning("bridge: claim failed, will retry at the next poll", metadata: ["pool": "\(pool.name)", "error": "\(DatabaseError.describe(error))"])
                return
            }
            BridgeMetrics.claimCall(jobs: claimed.count)
            let now = ContinuousClock.now
            state.withLockedValue { state in
                for job in claimed {
                    state.inFlight[job.id] = .init(token: job.leaseToken, pool: pool.name, deadline: now + job.timeout)
                }
                state.runningPerPool[pool.name, default: 0] += claimed.count
            }
            for job in claimed { start(job) }
            let full = claimed.count == limit
            state.withLockedValue { state in
                if full { state.backlog.insert(pool.name) } else { state.backlog.remove(pool.name) }
            }
            if !claimed.isEmpty { BridgeMetrics.inFlight(state.withLockedValue { $0.inFlight.count }) }
            if !full { return }
        }
    }

    /// The queues a pool claims from: `[]` means every queue; nil means nothing to claim
    /// (a wildcard pool whose queues are all configured on their own).
    private func queues(for pool: Pool) async throws -> [String]? {
        guard pool.name == Self.wildcardPool else { return [pool.name] }
        if configuration.queues.isEmpty { return [] }
        let known = try await knownQueues()
        let rest = known.subtracting(configuration.queues.keys).sorted()
        return rest.isEmpty ? nil : rest
    }

    /// Queues of the registered kinds, refreshed every few seconds (kinds change by migration only).
    private func knownQueues() async throws -> Set<String> {
        let cached = state.withLockedValue { state -> Set<String>? in
            guard let at = state.knownQueuesAt, at.timeIntervalSinceNow > -5 else { return nil }
            return state.knownQueues
        }
        if let cached { return cached }
        let fresh = try await store.knownQueues()
        state.withLockedValue { state in
            state.knownQueues = fresh
            state.knownQueuesAt = Date()
        }
        return fresh
    }

    /// Called when a job has been reported: frees its slot and, if its pool had more work waiting
    /// and enough slots are free for a batch (or it ran dry), rings for another claim.
    func finished(_ job: ClaimedJob, pool: Pool) {
        let threshold = refillThreshold(pool)
        let ringAgain = state.withLockedValue { state -> Bool in
            state.inFlight[job.id] = nil
            state.runningPerPool[pool.name, default: 1] -= 1
            guard state.backlog.contains(pool.name), !state.shuttingDown else { return false }
            let running = state.runningPerPool[pool.name, default: 0]
            return running == 0 || pool.concurrency - running >= threshold
        }
        if ringAgain { doorbell.ring([pool.name]) }
    }

    /// After the loop stops claiming: wait up to the grace period for in-flight jobs, then cancel
    /// the rest (each hands its job back to the queue as it unwinds).
    private func drainInFlight() async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        var remaining = state.withLockedValue { $0.inFlight.count }
        if remaining > 0 {
            logger.info("bridge: waiting for in-flight jobs", metadata: ["in_flight": "\(remaining)", "grace": "\(configuration.shutdownGrace)"])
        }
        while remaining > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            remaining = state.withLockedValue { $0.inFlight.count }
        }
        if remaining > 0 {
            logger.warning("bridge: grace period over, releasing in-flight jobs", metadata: ["in_flight": "\(remaining)"])
            let handlers = state.withLockedValue { state -> [Task<JobResult, any Error>] in
                var handlers: [Task<JobResult, any Error>] = []
                for id in Array(state.inFlight.keys) {
                    if state.inFlight[id]?.stop == nil { state.inFlight[id]?.stop = .shutdown }
                    if let handler = state.inFlight[id]?.handler { handlers.append(handler) }
                }
                return handlers
            }
            for handler in handlers { handler.cancel() }
            // Each job now reports (a release); wait for that, however long the database takes.
            while state.withLockedValue({ !$0.inFlight.isEmpty }) {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
