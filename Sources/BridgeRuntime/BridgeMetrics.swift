import Foundation
import Metrics

/// The runtime's swift-metrics instruments; `banquet serve` bootstraps the Prometheus backend.
enum BridgeMetrics {
    static func claimed(_ job: ClaimedJob) {
        Counter(label: "bridge_jobs_claimed_total", dimensions: labels(job)).increment()
    }

    static func succeeded(_ job: ClaimedJob) {
        Counter(label: "bridge_jobs_succeeded_total", dimensions: labels(job)).increment()
    }

    static func failed(_ job: ClaimedJob, status: String?) {
        Counter(label: "bridge_jobs_failed_total", dimensions: labels(job)).increment()
        if status == "dead" {
            Counter(label: "bridge_jobs_dead_total", dimensions: labels(job)).increment()
        }
    }

    static func duration(_ job: ClaimedJob, _ elapsed: Duration) {
        Metrics.Timer(label: "bridge_job_duration_seconds", dimensions: [("kind", job.kind)]).recordNanoseconds(nanoseconds(elapsed))
    }

    /// Commit-to-start: from when the job became runnable to when a handler started it.
    static func latency(_ job: ClaimedJob, startedAt: Date) {
        guard let since = job.runnableSince else { return }
        let seconds = max(0, startedAt.timeIntervalSince(since))
        Metrics.Timer(label: "bridge_job_latency_seconds", dimensions: [("kind", job.kind)]).recordNanoseconds(Int64(seconds * 1_000_000_000))
    }

    static func queueDepth(_ queue: String, status: String, _ depth: Int) {
        Gauge(label: "bridge_queue_depth", dimensions: [("queue", queue), ("status", status)]).record(depth)
    }

    static func listenReconnect() {
        Counter(label: "bridge_listen_reconnects_total").increment()
    }

    static func inFlight(_ count: Int) {
        Gauge(label: "bridge_jobs_in_flight").record(count)
    }

    private static func labels(_ job: ClaimedJob) -> [(String, String)] {
        [("queue", job.queue), ("kind", job.kind)]
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
