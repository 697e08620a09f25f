/// Which handler performs which job kind in this daemon. The daemon claims only these kinds.
public struct JobHandlerRegistry: Sendable {
    private var handlers: [String: RegisteredHandler] = [:]
    /// Sorted once here, not at every claim.
    public private(set) var kinds: [String] = []

    public init() {}

    public mutating func register<Handler: JobHandler>(_ kind: String, handler: Handler) {
        handlers[kind] = RegisteredHandler(provider: handler.provider) { job in
            let payload = try job.decodePayload(Handler.Payload.self)
            return PreparedJob(rateLimitKeys: handler.rateLimitKeys(for: payload)) { context in
                try await handler.perform(payload, job: job, context: context)
            }
        }
        kinds = handlers.keys.sorted()
    }

    /// The handler this module ships: `bridge.noop`, for benchmarks and tests.
    public mutating func registerBuiltins() {
        register(NoopHandler.kind, handler: NoopHandler())
    }

    func handler(for kind: String) -> RegisteredHandler? {
        handlers[kind]
    }

    public func handles(_ kind: String) -> Bool { handlers[kind] != nil }
}

/// A handler with its payload type erased: `prepare` decodes the payload (once) and binds it.
struct RegisteredHandler: Sendable {
    let provider: String?
    let prepare: @Sendable (ClaimedJob) throws -> PreparedJob
}

/// A job whose payload decoded, ready to run.
struct PreparedJob: Sendable {
    let rateLimitKeys: [RateLimitKey]
    let run: @Sendable (JobContext) async throws -> JobResult
}
