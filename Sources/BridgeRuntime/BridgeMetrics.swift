import BanquetCore
import Foundation
import Metrics
import NIOConcurrencyHelpers

/// The runtime's swift-metrics instruments; `banquet serve` bootstraps the Prometheus backend.
///
/// Per-job instruments are made once per (queue, kind) and cached: making them is a factory call
/// with a lock and a label lookup, which the per-job path should not pay for every job.
enum BridgeMetrics {
    /// The instruments one job touches.
    struct Instruments: Sendable {
        let claimed: Counter
        let succeeded: Counter
        let failedCounter: Counter
        let dead: Counter
        let duration: Metrics.Timer
        let latencyTimer: Metrics.Timer

        func failed(status: String?) {
            failedCounter.increment()
            if status == "dead" { dead.increment() }
        }

        /// Commit-to-start: from when the job became runnable to when a handler started it.
        func latency(_ job: ClaimedJob, startedAt: Date) {
            guard let since = job.runnableSince else { return }
            latencyTimer.recordNanoseconds(Duration.seconds(max(0, startedAt.timeIntervalSince(since))).inNanoseconds)
        }
    }

    private struct Key: Hashable {
        var queue: String
        var kind: String
    }

    private static let cache = NIOLockedValueBox<[Key: Instruments]>([:])

    static func instruments(for job: ClaimedJob) -> Instruments {
        let key = Key(queue: job.queue, kind: job.kind)
        return cache.withLockedValue { cache in
            if let cached = cache[key] { return cached }
            let labels = [("queue", job.queue), ("kind", job.kind)]
            let made = Instruments(
                claimed: Counter(label: "bridge_jobs_claimed_total", dimensions: labels),
                succeeded: Counter(label: "bridge_jobs_succeeded_total", dimensions: labels),
                failedCounter: Counter(label: "bridge_jobs_failed_total", dimensions: labels),
                dead: Counter(label: "bridge_jobs_dead_total", dimensions: labels),
                duration: Metrics.Timer(label: "bridge_job_duration_seconds", dimensions: [("kind", job.kind)]),
                latencyTimer: Metrics.Timer(label: "bridge_job_latency_seconds", dimensions: [("kind", job.kind)]))
            cache[key] = made
            return made
        }
    }

    static func queueDepth(_ queue: String, status: String, _ depth: Int) {
        Gauge(label: "bridge_queue_depth", dimensions: [("queue", queue), ("status", status)]).record(depth)
    }

    /// Due jobs of a kind no live daemon has a handler for, and how long the oldest has waited.
    static func unhandled(kind: String, queue: String, due: Int64, oldestAge: Duration) {
        let labels = [("queue", queue), ("kind", kind)]
        Gauge(label: "bridge_unhandled_jobs", dimensions: labels).record(due)
        Gauge(label: "bridge_unhandled_oldest_age_seconds", dimensions: labels).record(oldestAge.inSeconds)
    }

    /// One claim call and how many jobs it returned: jobs ÷ calls is the claim batch actually
    /// achieved, what `BANQUET_CLAIM_BATCH` and the pool's concurrency tune.
    static func claimCall(jobs: Int) {
        claimCalls.increment()
        claimedJobs.increment(by: jobs)
    }

    /// One `bridge.complete_many` group commit and its size.
    static func groupCommit(jobs: Int) {
        groupCommits.increment()
        groupCommittedJobs.increment(by: jobs)
    }

    private static let claimCalls = Counter(label: "bridge_claim_calls_total")
    private static let claimedJobs = Counter(label: "bridge_claim_jobs_total")
    private static let groupCommits = Counter(label: "bridge_group_commits_total")
    private static let groupCommittedJobs = Counter(label: "bridge_group_commit_jobs_total")

    static func listenReconnect() {
        Counter(label: "bridge_listen_reconnects_total").increment()
    }

    static func inFlight(_ count: Int) {
        Gauge(label: "bridge_jobs_in_flight").record(count)
    }
}
