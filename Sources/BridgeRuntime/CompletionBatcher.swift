import BanquetCore
import Foundation
import Logging

/// Group commit for successful jobs: completions that arrive while a `bridge.complete_many` call
/// is in flight wait for it and then go together in the next call, so under load N jobs cost one
/// transaction (one WAL flush) instead of N, and an idle daemon adds no delay at all.
///
/// A batch that fails as a whole (a write-back raised, which rolls the batch back, or the
/// connection dropped) answers `.retryIndividually`: the caller then completes its job on its
/// own, so one bad write-back fails only its own job, exactly as without batching.
actor CompletionBatcher {
    enum Answer: Sendable {
        case completed
        /// The lease token was stale: another worker owns the job (or it was cancelled).
        case stale
        case retryIndividually
    }

    private struct Entry {
        let job: ClaimedJob
        let result: JobResult
        let continuation: CheckedContinuation<Answer, Never>
    }

    private let store: JobStore
    private let maxBatch: Int
    private let logger: Logger
    private var pending: [Entry] = []
    private var flushing = false

    init(store: JobStore, maxBatch: Int = 256, logger: Logger) {
        self.store = store
        self.maxBatch = maxBatch
        self.logger = logger
    }

    func complete(_ job: ClaimedJob, result: JobResult) async -> Answer {
        await withCheckedContinuation { continuation in
            pending.append(Entry(job: job, result: result, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flushUntilEmpty() }
            }
        }
    }

    private func flushUntilEmpty() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let completed = try await store.completeMany(batch.map { ($0.job, $0.result) })
                BridgeMetrics.groupCommit(jobs: batch.count)
                for entry in batch {
                    entry.continuation.resume(returning: completed.contains(entry.job.id) ? .completed : .stale)
                }
            } catch {
                logger.debug("bridge: batched completion failed, completing one by one", metadata: ["jobs": "\(batch.count)", "error": "\(DatabaseError.describe(error))"])
                for entry in batch { entry.continuation.resume(returning: .retryIndividually) }
            }
        }
        flushing = false
    }
}
