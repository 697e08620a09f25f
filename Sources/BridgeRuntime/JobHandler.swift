import Foundation
import Logging

/// Performs one kind of job: the side effect PostgreSQL cannot do itself.
///
/// The runtime decodes the job's payload into `Payload` once, before anything else happens: a
/// payload that does not decode fails the job permanently with one message naming the field, and
/// the handler never sees raw JSON. Then `perform` runs with no transaction open. What it returns
/// is handed to `bridge.complete`, which runs the kind's SQL write-back and marks the job done in
/// one short transaction. Throw `JobFailure` to choose between retry and permanent failure; any
/// other error is treated as retryable.
public protocol JobHandler: Sendable {
    associatedtype Payload: Decodable & Sendable

    func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult

    /// Keys whose configured rate limits this job consumes (e.g. the provider account and the
    /// recipient). A job is only started when every key has room.
    func rateLimitKeys(for payload: Payload) -> [RateLimitKey]

    /// The provider this handler calls; consecutive failures open that provider's circuit breaker.
    var provider: String? { get }
}

extension JobHandler {
    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] { [] }
    public var provider: String? { nil }
}

/// The payload of a kind that reads none: decodes from any JSON.
public struct IgnoredPayload: Decodable, Sendable {
    public init(from decoder: any Decoder) throws {}
}

/// The JSON result passed to `bridge.complete` (and so to the kind's write-back function).
public struct JobResult: Sendable, Equatable {
    /// Raw JSON, or nil for SQL NULL.
    public var json: Data?

    public static let empty = JobResult(json: nil)

    public static func json(_ data: Data) -> JobResult { JobResult(json: data) }

    public static func encoding<T: Encodable>(_ value: T, encoder: JSONEncoder = JSONEncoder()) throws -> JobResult {
        JobResult(json: try encoder.encode(value))
    }
}

/// How a handler reports that the side effect did not happen.
public enum JobFailure: Error, Sendable, CustomStringConvertible {
    /// Try again later: after `retryAfter` when the provider said so, else after the kind's backoff.
    case retryable(String, retryAfter: Duration? = nil)
    /// Retrying cannot help (bad input, rejected by the provider): the job goes to dead.
    case permanent(String)

    public var description: String {
        switch self {
        case .retryable(let message, _), .permanent(let message): return message
        }
    }
}

/// One rate-limited key: `name` selects the configured limit (e.g. `whatsapp:recipient`),
/// `value` the bucket (e.g. the recipient's phone number).
public struct RateLimitKey: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// What a running handler gets besides its job.
public struct JobContext: Sendable {
    private let makeLogger: @Sendable () -> Logger
    /// The deadline after which the runtime cancels this attempt.
    public var deadline: ContinuousClock.Instant
    /// The idempotency key to pass to providers that take one; stable across retries of this job.
    public var idempotencyKey: String

    /// Carries `job_id`, `kind`, `queue` and `attempt` metadata: every log line correlates to the job.
    public var logger: Logger { makeLogger() }

    public init(logger: Logger, deadline: ContinuousClock.Instant, idempotencyKey: String) {
        self.makeLogger = { logger }
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
    }

    init(log: JobLog, deadline: ContinuousClock.Instant, idempotencyKey: String) {
        self.makeLogger = { log.logger }
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
    }
}

/// A job's logger, made when first needed: setting four metadata values per job showed in the
/// per-job profile, and a job that succeeds logs nothing.
struct JobLog: Sendable {
    let base: Logger
    let job: ClaimedJob

    var logger: Logger {
        var logger = base
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "kind"] = .string(job.kind)
        logger[metadataKey: "queue"] = .string(job.queue)
        logger[metadataKey: "attempt"] = "\(job.attempts)/\(job.maxAttempts)"
        return logger
    }
}
