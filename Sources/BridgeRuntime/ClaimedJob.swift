import Foundation

/// One job this worker holds a lease on, as `bridge.claim` returned it.
///
/// The lease token fences every later call: `bridge.complete`/`bridge.fail` reject a token that is
/// no longer current, so a worker that lost its lease can never write a result twice.
public struct ClaimedJob: Sendable {
    public var id: Int64
    public var queue: String
    public var kind: String
    /// The job's payload as raw JSON.
    public var payload: Data
    /// Attempts including this one (1 on the first run).
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseToken: UUID
    public var tenantID: UUID?
    /// How long one attempt may run before it is cancelled and failed as retryable.
    public var timeout: Duration
    /// When the job became runnable (its run_at); the commit-to-start latency is measured from it.
    public var runnableSince: Date?

    public init(id: Int64, queue: String, kind: String, payload: Data, attempts: Int, maxAttempts: Int, leaseToken: UUID, tenantID: UUID? = nil, timeout: Duration = .seconds(300), runnableSince: Date? = nil) {
        self.id = id
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.leaseToken = leaseToken
        self.tenantID = tenantID
        self.timeout = timeout
        self.runnableSince = runnableSince
    }

    /// Decodes the payload. A payload that does not decode is a permanent failure: retrying the
    /// same bytes cannot succeed, so the runtime marks the job failed with the decoding error.
    public func decodePayload<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        do {
            return try decoder.decode(T.self, from: payload)
        } catch let error as DecodingError {
            throw JobFailure.permanent("malformed payload for \(kind): \(describe(error))")
        }
    }
}

/// A decoding error as one line a person can act on: which field, what went wrong.
func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "payload" : keys.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        let parent = path(context)
        return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
    case .typeMismatch(let type, let context):
        return "\(path(context)) is not of type \(type)"
    case .valueNotFound(let type, let context):
        return "\(path(context)) is null, expected \(type)"
    case .dataCorrupted(let context):
        return "\(path(context)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}
