import BanquetCore
import ConnectorKit
import Foundation

/// Which model answers the AI jobs, from the environment. The default is the offline provider, so
/// `make run` and the tests need no account; a real provider is one variable away.
///
/// | variable | meaning |
/// | --- | --- |
/// | `BANQUET_LLM_PROVIDER` | `offline` (default), `openai` (any OpenAI-compatible server), `openrouter`, `bedrock` |
/// | `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL` | OpenAI-compatible endpoint, key (none for Ollama), model |
/// | `LLM_JSON_SCHEMA` | `auto` (default), `json_schema`, `json_object` |
/// | `LLM_APP_URL`, `LLM_APP_TITLE` | OpenRouter attribution headers |
/// | `BEDROCK_REGION` (or `AWS_REGION`), `BEDROCK_MODEL_ID`, `BEDROCK_ENDPOINT_URL` | Bedrock |
/// | `LLM_TIMEOUT_SECONDS`, `LLM_PRICES`, `LLM_TRIAGE_THRESHOLD` | per-call timeout, price table, triage threshold |
public struct LLMConfiguration: Sendable {
    public enum Kind: String, Sendable { case offline, openai, openrouter, bedrock }

    public var kind: Kind
    public var baseURL: URL?
    public var apiKey: String?
    public var model: String
    public var schemaMode: OpenAICompatibleProvider.SchemaMode
    public var appURL: String?
    public var appTitle: String?
    public var region: String?
    public var bedrockEndpoint: URL?
    public var timeout: Duration
    public var prices: ModelPriceTable
    /// Below this confidence a classified message goes to a person.
    public var triageThreshold: Double

    public static func fromEnvironment(_ environment: BanquetCore.Environment) throws -> LLMConfiguration {
        let raw = environment.string("BANQUET_LLM_PROVIDER", default: "offline").lowercased()
        guard let kind = Kind(rawValue: raw) else {
            throw LLMConfigurationError("BANQUET_LLM_PROVIDER=\(raw) is not offline, openai, openrouter or bedrock")
        }
        let schemaRaw = environment.string("LLM_JSON_SCHEMA", default: "auto")
        guard let schemaMode = OpenAICompatibleProvider.SchemaMode(rawValue: schemaRaw) else {
            throw LLMConfigurationError("LLM_JSON_SCHEMA=\(schemaRaw) is not auto, json_schema or json_object")
        }
        let threshold = Double(environment.string("LLM_TRIAGE_THRESHOLD", default: "0.6")) ?? -1
        guard (0...1).contains(threshold) else { throw LLMConfigurationError("LLM_TRIAGE_THRESHOLD must be a number between 0 and 1") }
        var configuration = LLMConfiguration(
            kind: kind, baseURL: nil, apiKey: environment.optionalString("LLM_API_KEY"), model: "offline-heuristics",
            schemaMode: schemaMode, appURL: environment.optionalString("LLM_APP_URL"), appTitle: environment.optionalString("LLM_APP_TITLE"),
            region: environment.optionalString("BEDROCK_REGION") ?? environment.optionalString("AWS_REGION"),
            bedrockEndpoint: nil, timeout: .seconds(try environment.int("LLM_TIMEOUT_SECONDS", default: 60)),
            prices: try ModelPriceTable.parse(environment.optionalString("LLM_PRICES")), triageThreshold: threshold)
        switch kind {
        case .offline:
            break
        case .openai, .openrouter:
            let fallback = kind == .openrouter ? "https://openrouter.ai/api/v1" : "https://api.openai.com/v1"
            let text = environment.string("LLM_BASE_URL", default: fallback)
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw LLMConfigurationError("LLM_BASE_URL=\(Redaction.url(text)) is not an http(s) URL")
            }
            configuration.baseURL = url
            configuration.model = environment.string("LLM_MODEL", default: kind == .openrouter ? "openai/gpt-4o-mini" : "gpt-4o-mini")
            if kind == .openrouter && configuration.appTitle == nil { configuration.appTitle = "Banquet" }
        case .bedrock:
            guard configuration.region != nil else { throw LLMConfigurationError("BANQUET_LLM_PROVIDER=bedrock needs BEDROCK_REGION (or AWS_REGION)") }
            configuration.model = environment.string("BEDROCK_MODEL_ID", default: "anthropic.claude-3-5-haiku-20241022-v1:0")
            if let endpoint = environment.optionalString("BEDROCK_ENDPOINT_URL") {
                guard let url = URL(string: endpoint) else { throw LLMConfigurationError("BEDROCK_ENDPOINT_URL is not a URL") }
                configuration.bedrockEndpoint = url
            }
        }
        return configuration
    }

    /// The provider this configuration names. Bedrock without credentials fails here, at start,
    /// rather than on the first job.
    public func makeProvider(transport: any HTTPTransport, environment: BanquetCore.Environment) throws -> any LLMProvider {
        switch kind {
        case .offline:
            return OfflineLLMProvider()
        case .openai, .openrouter:
            return OpenAICompatibleProvider(configuration: .init(
                name: kind.rawValue, baseURL: baseURL!, apiKey: apiKey, model: model, schemaMode: schemaMode,
                appURL: appURL, appTitle: appTitle), transport: transport)
        case .bedrock:
            guard let credentials = AWSCredentials.fromEnvironment(environment, transport: transport) else {
                throw LLMConfigurationError("BANQUET_LLM_PROVIDER=bedrock needs AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)")
            }
            return BedrockConverseProvider(configuration: .init(region: region!, modelID: model, endpoint: bedrockEndpoint),
                                           credentials: credentials, transport: transport)
        }
    }

    /// For the start-up log line: provider and model, never a key.
    public func describe() -> String {
        switch kind {
        case .offline: "offline (deterministic, from the venue's own data)"
        case .openai, .openrouter: "\(kind.rawValue) \(model) at \(Redaction.url(baseURL!))"
        case .bedrock: "bedrock \(model) in \(region ?? "?")"
        }
    }
}
