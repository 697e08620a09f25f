import BanquetCore
import Foundation

/// One model call as the cost ledger records it (an `ai_runs` row), success or failure.
public struct LLMCallRecord: Sendable {
    public var provider: String
    public var model: String
    public var usage: LLMUsage
    public var latencyMilliseconds: Int
    public var costUSDMicros: Int64
    /// `provider` (the provider reported it), `price_table`, or `none` (unknown model or no call).
    public var costSource: String
    /// `ok` or an `LLMError.Kind` raw value.
    public var outcome: String
    public var error: String?
}

/// Gets a schema-valid answer from any provider: call, parse, validate against the schema and the
/// caller's own rules (e.g. "every id is one of this venue's"), and on an invalid answer make one
/// repair attempt that tells the model what was wrong. Every call, whatever its outcome, is
/// handed to `record` for the ledger before anything else happens.
public struct StructuredGenerator: Sendable {
    public let provider: any LLMProvider
    public let prices: ModelPriceTable

    public init(provider: any LLMProvider, prices: ModelPriceTable) {
        self.provider = provider
        self.prices = prices
    }

    /// Answers the caller's own checks return: human-readable problems, empty when the answer is fine.
    public typealias Check = @Sendable (JSONValue) -> [String]

    public func generate(
        _ request: LLMRequest, check: Check = { _ in [] }, record: @Sendable (LLMCallRecord) async -> Void
    ) async throws -> JSONValue {
        var request = request
        for attempt in 1...2 {
            let started = ContinuousClock.now
            let completion: LLMCompletion
            do {
                completion = try await provider.complete(request)
            } catch let error as LLMError {
                await record(callRecord(nil, started: started, outcome: error.kind.rawValue, error: error.description))
                throw error
            }
            let problems: [String]
            let answer = JSONValue.parse(modelAnswer: completion.text)
            if let answer {
                let schemaProblems = JSONSchemaValidator.validate(answer, against: request.schema)
                problems = schemaProblems.isEmpty ? check(answer) : schemaProblems
            } else {
                problems = ["the answer is not valid JSON"]
            }
            if problems.isEmpty, let answer {
                await record(callRecord(completion, started: started, outcome: "ok", error: nil))
                return answer
            }
            let summary = problems.prefix(10).joined(separator: "; ")
            await record(callRecord(completion, started: started, outcome: LLMError.Kind.invalidAnswer.rawValue,
                                    error: "attempt \(attempt): \(summary)"))
            if attempt == 2 {
                throw LLMError(.invalidAnswer, "\(provider.name) \(completion.model) gave an invalid answer twice: \(summary)")
            }
            // The repair turn: the model sees its own answer and the exact problems.
            request.messages.append(LLMMessage(role: .assistant, text: String(completion.text.prefix(8000))))
            request.messages.append(LLMMessage(role: .user, text: """
                That answer cannot be used: \(summary). Answer again with one JSON object that satisfies the \
                schema, using only ids from the data given. JSON only, no prose.
                """))
        }
        preconditionFailure("unreachable: the loop returns or throws")
    }

    private func callRecord(_ completion: LLMCompletion?, started: ContinuousClock.Instant, outcome: String, error: String?) -> LLMCallRecord {
        let usage = completion?.usage ?? LLMUsage(inputTokens: 0, outputTokens: 0)
        let model = completion?.model ?? provider.model
        var cost: Int64 = 0
        var source = "none"
        if let reported = completion?.reportedCostUSDMicros {
            cost = reported
            source = "provider"
        } else if let priced = prices.costUSDMicros(model: model, usage: usage) ?? prices.costUSDMicros(model: provider.model, usage: usage) {
            cost = priced
            source = "price_table"
        }
        return LLMCallRecord(provider: provider.name, model: model, usage: usage,
                             latencyMilliseconds: Int(Duration.since(started).inMilliseconds), costUSDMicros: cost,
                             costSource: source, outcome: outcome, error: error)
    }
}
