import BanquetCore
import Foundation

/// The AI tasks Banquet runs; each names its `ai_runs.purpose` and tells the offline provider
/// which deterministic answer to build.
public enum LLMTask: String, Sendable, CaseIterable {
    case proposalDraft = "proposal_draft"
    case classifyMessage = "classify_message"
    case menuExtract = "menu_extract"
}

/// One turn of the conversation sent to a model.
public struct LLMMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case user, assistant }
    public var role: Role
    public var text: String

    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }
}

/// A request for a structured answer: the prompt, the JSON schema the answer must satisfy, and the
/// data the prompt was rendered from (the offline provider answers from that data directly).
public struct LLMRequest: Sendable {
    public var task: LLMTask
    public var system: String
    public var messages: [LLMMessage]
    /// A JSON Schema (the subset `JSONSchemaValidator` checks) for the answer.
    public var schema: JSONValue
    /// The schema's name: OpenAI's `json_schema.name`, Bedrock's tool name. `[A-Za-z0-9_-]` only.
    public var schemaName: String
    public var data: JSONValue
    public var maxOutputTokens: Int
    public var timeout: Duration

    public init(task: LLMTask, system: String, user: String, schema: JSONValue, schemaName: String, data: JSONValue,
                maxOutputTokens: Int = 2048, timeout: Duration = .seconds(60)) {
        self.task = task
        self.system = system
        self.messages = [LLMMessage(role: .user, text: user)]
        self.schema = schema
        self.schemaName = schemaName
        self.data = data
        self.maxOutputTokens = maxOutputTokens
        self.timeout = timeout
    }
}

public struct LLMUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// A model's raw answer: text that should be JSON (validated by `StructuredGenerator`, never here).
public struct LLMCompletion: Sendable {
    public var text: String
    public var usage: LLMUsage
    /// The model the provider says answered (OpenRouter may route to another).
    public var model: String
    /// The provider's own cost report in USD micros (OpenRouter's `usage.cost`), when it gives one.
    public var reportedCostUSDMicros: Int64?

    public init(text: String, usage: LLMUsage, model: String, reportedCostUSDMicros: Int64? = nil) {
        self.text = text
        self.usage = usage
        self.model = model
        self.reportedCostUSDMicros = reportedCostUSDMicros
    }
}

/// The I/O seam for language models. Implementations: `OpenAICompatibleProvider` (OpenAI,
/// OpenRouter, Ollama, vLLM), `BedrockConverseProvider`, and `OfflineLLMProvider` (deterministic,
/// from the venue's own data). A provider returns the answer text or throws `LLMError`; checking
/// the answer against the schema is `StructuredGenerator`'s job, the same for every provider.
public protocol LLMProvider: Sendable {
    /// Shown in `ai_runs.provider`, logs and `banquet doctor`: `offline`, `openai`, `openrouter`, `bedrock`.
    var name: String { get }
    /// The configured model id.
    var model: String { get }
    func complete(_ request: LLMRequest) async throws -> LLMCompletion
}
