import Foundation

/// USD per million tokens, per model: what an `ai_runs` row costs when the provider does not
/// report a cost itself (OpenRouter does; OpenAI, Bedrock and local servers do not).
///
/// Defaults cover common models at their published list prices; `LLM_PRICES` overrides or adds
/// (`model=input/output,…`, USD per million tokens). A model in neither costs 0 and the ledger
/// says so (`cost_source = none`), rather than guessing.
public struct ModelPriceTable: Sendable {
    public struct Price: Sendable, Equatable {
        public var inputPerMillion: Double
        public var outputPerMillion: Double
    }

    public private(set) var prices: [String: Price]

    static let defaults: [String: Price] = [
        "gpt-4o-mini": Price(inputPerMillion: 0.15, outputPerMillion: 0.60),
        "gpt-4o": Price(inputPerMillion: 2.50, outputPerMillion: 10.00),
        "gpt-4.1-mini": Price(inputPerMillion: 0.40, outputPerMillion: 1.60),
        "anthropic.claude-3-5-sonnet-20240620-v1:0": Price(inputPerMillion: 3.00, outputPerMillion: 15.00),
        "anthropic.claude-3-5-haiku-20241022-v1:0": Price(inputPerMillion: 0.80, outputPerMillion: 4.00),
        "anthropic.claude-3-haiku-20240307-v1:0": Price(inputPerMillion: 0.25, outputPerMillion: 1.25),
        "amazon.nova-lite-v1:0": Price(inputPerMillion: 0.06, outputPerMillion: 0.24),
        "amazon.nova-pro-v1:0": Price(inputPerMillion: 0.80, outputPerMillion: 3.20),
    ]

    public init(overrides: [String: Price] = [:]) {
        prices = Self.defaults.merging(overrides) { _, new in new }
    }

    /// Reads `LLM_PRICES`: `model=input/output` pairs separated by commas.
    public static func parse(_ text: String?) throws -> ModelPriceTable {
        var overrides: [String: Price] = [:]
        for entry in (text ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let equals = entry.lastIndex(of: "=") else {
                throw LLMConfigurationError("LLM_PRICES entry '\(entry)' is not model=input/output (USD per million tokens)")
            }
            let numbers = entry[entry.index(after: equals)...].split(separator: "/").compactMap { Double($0) }
            guard numbers.count == 2, numbers.allSatisfy({ $0 >= 0 }) else {
                throw LLMConfigurationError("LLM_PRICES entry '\(entry)' is not model=input/output (USD per million tokens)")
            }
            overrides[String(entry[..<equals])] = Price(inputPerMillion: numbers[0], outputPerMillion: numbers[1])
        }
        return ModelPriceTable(overrides: overrides)
    }

    /// Cost in USD micros. Bedrock inference profiles prefix the model id with a region group
    /// (`eu.anthropic…`); the table is keyed by the bare id, so the prefix is tried off too.
    public func costUSDMicros(model: String, usage: LLMUsage) -> Int64? {
        let bare = model.split(separator: ".", maxSplits: 1).count == 2 && ["us", "eu", "apac", "global"].contains(String(model.split(separator: ".")[0]))
            ? String(model.split(separator: ".", maxSplits: 1)[1]) : model
        guard let price = prices[model] ?? prices[bare] else { return nil }
        // tokens × USD per million tokens = USD micros.
        return Int64((Double(usage.inputTokens) * price.inputPerMillion + Double(usage.outputTokens) * price.outputPerMillion).rounded())
    }
}

/// A configuration value that cannot work; `banquet serve` stops at start and says which.
public struct LLMConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
