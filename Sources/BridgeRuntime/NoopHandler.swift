import Foundation

/// `bridge.noop`: does nothing and returns when it started, so benchmarks and tests measure the
/// runtime alone (claim, complete, write-back) and can compute commit-to-start latency in SQL.
public struct NoopHandler: JobHandler {
    public static let kind = "bridge.noop"

    public init() {}

    public func perform(_ payload: IgnoredPayload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let started = Date().timeIntervalSince1970
        return .json(Data("{\"started_at_epoch\":\(started),\"worker_attempt\":\(job.attempts)}".utf8))
    }
}
