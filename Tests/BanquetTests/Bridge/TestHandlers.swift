@testable import BridgeRuntime
import Foundation
import NIOConcurrencyHelpers

/// Sleeps for `payload.ms` (or until cancelled) and counts starts and cancellations.
struct SleepHandler: JobHandler {
    struct Payload: Decodable, Sendable { var ms: Int }
    let counters = Counters()

    final class Counters: Sendable {
        private let box = NIOLockedValueBox((started: 0, cancelled: 0))
        var started: Int { box.withLockedValue { $0.started } }
        var cancelled: Int { box.withLockedValue { $0.cancelled } }
        func start() { box.withLockedValue { $0.started += 1 } }
        func cancel() { box.withLockedValue { $0.cancelled += 1 } }
    }

    func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        counters.start()
        do {
            try await Task.sleep(for: .milliseconds(payload.ms))
        } catch {
            counters.cancel()
            throw error
        }
        return .empty
    }
}

/// Always raises an error that is not a JobFailure.
struct RaisingHandler: JobHandler {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom: the provider exploded" } }
    func perform(_ payload: IgnoredPayload, job: ClaimedJob, context: JobContext) async throws -> JobResult { throw Boom() }
}

/// Decodes `{"to": String, "count": Int}` and echoes it.
struct TypedHandler: JobHandler {
    struct Payload: Codable, Sendable { var to: String; var count: Int }
    func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        try .encoding(payload)
    }
}

/// Fails retryably (a provider outage) and counts calls, under the provider name "flaky".
struct OutageHandler: JobHandler {
    let calls = NIOLockedValueBox(0)
    let failing = NIOLockedValueBox(true)
    var provider: String? { "flaky" }
    func perform(_ payload: IgnoredPayload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        calls.withLockedValue { $0 += 1 }
        if failing.withLockedValue({ $0 }) { throw JobFailure.retryable("provider down") }
        return .empty
    }
}
