import BanquetCore
import ConnectorKit
import Foundation
import NIOHTTP1

/// Chat completions as OpenAI defined them and OpenRouter, Ollama, vLLM and others serve them:
/// `POST {base}/chat/completions`.
///
/// Structured output: `response_format: {"type": "json_schema", "json_schema": {name, strict,
/// schema}}` where the server supports it. A server that does not answers 400 naming
/// `response_format`/`json_schema`; in `auto` mode the provider then remembers that and uses
/// `{"type": "json_object"}` with the schema written into the system prompt (our own validation
/// checks the answer either way). OpenRouter: the attribution headers `HTTP-Referer` and
/// `X-Title`, and `usage: {"include": true}` so the answer reports its cost in USD.
public struct OpenAICompatibleProvider: LLMProvider {
    public enum SchemaMode: String, Sendable {
        /// Try json_schema, fall back to json_object after a 400 that names it.
        case auto
        case jsonSchema = "json_schema"
        case jsonObject = "json_object"
    }

    public struct Configuration: Sendable {
        public var name: String
        public var baseURL: URL
        public var apiKey: String?
        public var model: String
        public var schemaMode: SchemaMode
        /// OpenRouter attribution (sent when set) and cost reporting (asked for when `name` is `openrouter`).
        public var appURL: String?
        public var appTitle: String?

        public init(name: String, baseURL: URL, apiKey: String?, model: String, schemaMode: SchemaMode = .auto,
                    appURL: String? = nil, appTitle: String? = nil) {
            self.name = name
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.schemaMode = schemaMode
            self.appURL = appURL
            self.appTitle = appTitle
        }
    }

    public let configuration: Configuration
    let client: HTTPJSONClient
    /// Whether this server has refused json_schema; shared by every copy of the provider.
    let schemaSupport: SchemaSupportMemo

    public var name: String { configuration.name }
    public var model: String { configuration.model }

    public init(configuration: Configuration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.client = HTTPJSONClient(transport: transport)
        self.schemaSupport = SchemaSupportMemo()
    }

    public func complete(_ request: LLMRequest) async throws -> LLMCompletion {
        var useSchema = configuration.schemaMode == .jsonSchema
        if configuration.schemaMode == .auto { useSchema = await schemaSupport.supported }
        do {
            return try await send(request, jsonSchema: useSchema)
        } catch let error as LLMError where useSchema && configuration.schemaMode == .auto && Self.refusesJSONSchema(error) {
            await schemaSupport.markUnsupported()
            return try await send(request, jsonSchema: false)
        }
    }

    /// A 400 that names the structured-output parameter: the server does not know json_schema
    /// (an older vLLM or Ollama, a proxy), which is not the same as a bad prompt.
    static func refusesJSONSchema(_ error: LLMError) -> Bool {
        guard error.kind == .rejected else { return false }
        let text = error.message.lowercased()
        return text.contains("response_format") || text.contains("json_schema")
    }

    func send(_ request: LLMRequest, jsonSchema: Bool) async throws -> LLMCompletion {
        var system = request.system
        if !jsonSchema {
            system += "\n\nAnswer with one JSON object that satisfies this JSON Schema, and nothing else:\n" + request.schema.jsonText
        }
        var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string(system)])]
        messages += request.messages.map { .object(["role": .string($0.role.rawValue), "content": .string($0.text)]) }
        var body: [String: JSONValue] = [
            "model": .string(configuration.model),
            "messages": .array(messages),
            "temperature": .number(0),
            "max_tokens": .number(Double(request.maxOutputTokens)),
            "response_format": jsonSchema
                ? .object(["type": .string("json_schema"), "json_schema": .object([
                    "name": .string(request.schemaName), "strict": .bool(true), "schema": request.schema])])
                : .object(["type": .string("json_object")]),
        ]
        if configuration.name == "openrouter" { body["usage"] = .object(["include": .bool(true)]) }

        var headers = HTTPHeaders()
        if let key = configuration.apiKey, !key.isEmpty { headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let url = configuration.appURL { headers.add(name: "HTTP-Referer", value: url) }
        if let title = configuration.appTitle { headers.add(name: "X-Title", value: title) }
        let url = configuration.baseURL.appendingPathComponent("chat/completions")
        let http = try client.jsonRequest(.POST, url, body: JSONValue.object(body), headers: headers, timeout: request.timeout)
        let response = try await client.transport.sendLLM(http, secrets: [configuration.apiKey].compactMap { $0 })

        guard let answer = try? JSONDecoder().decode(ChatCompletion.self, from: Data(response.body)) else {
            throw LLMError(.invalidAnswer, "\(http.redactedDescription) returned \(response.status) with a body that is not a chat completion")
        }
        let usage = LLMUsage(inputTokens: answer.usage?.promptTokens ?? 0, outputTokens: answer.usage?.completionTokens ?? 0)
        let cost = answer.usage?.cost.map { Int64(($0 * 1_000_000).rounded()) }
        guard let choice = answer.choices.first else {
            throw LLMError(.invalidAnswer, "\(http.redactedDescription) returned no choices")
        }
        if let refusal = choice.message.refusal, !refusal.isEmpty {
            throw LLMError(.rejected, "the model refused: \(refusal.prefix(300))")
        }
        // A truncated answer is invalid JSON at best; say why instead of a parse error.
        let text = choice.finishReason == "length" ? "" : (choice.message.content ?? "")
        return LLMCompletion(text: text, usage: usage, model: answer.model ?? configuration.model, reportedCostUSDMicros: cost)
    }

    struct ChatCompletion: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
                var refusal: String?
            }
            var message: Message
            var finishReason: String?
            enum CodingKeys: String, CodingKey {
                case message
                case finishReason = "finish_reason"
            }
        }
        struct Usage: Decodable {
            var promptTokens: Int?
            var completionTokens: Int?
            /// OpenRouter: the call's cost in USD (credits) when `usage.include` was asked for.
            var cost: Double?
            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
                case cost
            }
        }
        var model: String?
        var choices: [Choice]
        var usage: Usage?
    }
}

/// Remembers that a server refused `json_schema`, so later calls skip the failing attempt.
actor SchemaSupportMemo {
    private(set) var supported = true
    func markUnsupported() { supported = false }
}
