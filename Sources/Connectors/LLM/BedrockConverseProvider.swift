import BanquetCore
import ConnectorKit
import Foundation
import NIOHTTP1

/// Amazon Bedrock's Converse API: `POST /model/{modelId}/converse`, signed with SigV4 (service
/// `bedrock`, the one `SigV4Signer`).
///
/// Structured output is a forced tool call: the schema is the input schema of one tool and
/// `toolChoice` names it, so the answer arrives as the tool's `input` object. The model id (or an
/// inference-profile id or ARN, which contain `:` and `/`) is one percent-encoded path segment,
/// and the signer encodes it a second time in the canonical URI, as Bedrock expects.
public struct BedrockConverseProvider: LLMProvider {
    public struct Configuration: Sendable {
        public var region: String
        public var modelID: String
        /// Default `https://bedrock-runtime.{region}.amazonaws.com`; a VPC endpoint or a test server otherwise.
        public var endpoint: URL

        public init(region: String, modelID: String, endpoint: URL? = nil) {
            self.region = region
            self.modelID = modelID
            self.endpoint = endpoint ?? URL(string: "https://bedrock-runtime.\(region).amazonaws.com")!
        }
    }

    public let configuration: Configuration
    public let credentials: any AWSCredentialsProvider
    let client: HTTPJSONClient
    let clock: @Sendable () -> Date

    public var name: String { "bedrock" }
    public var model: String { configuration.modelID }

    public init(configuration: Configuration, credentials: any AWSCredentialsProvider, transport: any HTTPTransport,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.credentials = credentials
        self.client = HTTPJSONClient(transport: transport)
        self.clock = clock
    }

    /// `{endpoint}/model/{uri-encoded model id}/converse`.
    public var url: URL {
        let base = configuration.endpoint.absoluteString.hasSuffix("/") ? String(configuration.endpoint.absoluteString.dropLast()) : configuration.endpoint.absoluteString
        return URL(string: "\(base)/model/\(SigV4Signer.uriEncode(configuration.modelID))/converse")!
    }

    public func complete(_ request: LLMRequest) async throws -> LLMCompletion {
        let toolName = request.schemaName
        let body: JSONValue = .object([
            "system": .array([.object(["text": .string(request.system)])]),
            "messages": .array(request.messages.map {
                .object(["role": .string($0.role.rawValue), "content": .array([.object(["text": .string($0.text)])])])
            }),
            "inferenceConfig": .object(["maxTokens": .number(Double(request.maxOutputTokens)), "temperature": .number(0)]),
            "toolConfig": .object([
                "tools": .array([.object(["toolSpec": .object([
                    "name": .string(toolName),
                    "description": .string("Record the answer. Its input is the whole answer."),
                    "inputSchema": .object(["json": request.schema]),
                ])])]),
                "toolChoice": .object(["tool": .object(["name": .string(toolName)])]),
            ]),
        ])
        var http = try client.jsonRequest(.POST, url, body: body, timeout: request.timeout)
        let keys = try await credentials.credentials()
        SigV4Signer(credentials: keys, region: configuration.region, service: "bedrock", clock: clock).sign(&http)
        let response = try await client.transport.sendLLM(http, secrets: [keys.secretAccessKey, keys.sessionToken].compactMap { $0 })

        guard let answer = try? JSONDecoder().decode(ConverseResponse.self, from: Data(response.body)) else {
            throw LLMError(.invalidAnswer, "\(http.redactedDescription) returned \(response.status) with a body that is not a Converse response")
        }
        let usage = LLMUsage(inputTokens: answer.usage?.inputTokens ?? 0, outputTokens: answer.usage?.outputTokens ?? 0)
        let blocks = answer.output?.message?.content ?? []
        // The forced tool call carries the answer; a model that answered in text anyway is validated as text.
        let text: String
        if let input = blocks.lazy.compactMap({ $0.toolUse?.input }).first {
            text = input.jsonText
        } else {
            text = answer.stopReason == "max_tokens" ? "" : blocks.compactMap(\.text).joined()
        }
        return LLMCompletion(text: text, usage: usage, model: configuration.modelID)
    }

    struct ConverseResponse: Decodable {
        struct Output: Decodable {
            struct Message: Decodable {
                struct Block: Decodable {
                    struct ToolUse: Decodable {
                        var name: String?
                        var input: JSONValue
                    }
                    var text: String?
                    var toolUse: ToolUse?
                }
                var content: [Block]
            }
            var message: Message?
        }
        struct Usage: Decodable {
            var inputTokens: Int?
            var outputTokens: Int?
        }
        var output: Output?
        var stopReason: String?
        var usage: Usage?
    }
}
