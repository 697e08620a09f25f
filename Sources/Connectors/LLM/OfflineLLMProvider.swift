import BanquetCore
import Foundation

/// The offline "model": no network, no cost, the same answer for the same data. It answers each
/// task from the structured data the prompt was rendered from (the venue's own menus, packages
/// and spaces; the message text; the brochure's text), never from the prompt, so `make run` and
/// the tests exercise the whole pipeline — validation, write-back, ledger — without a provider.
/// It shows as provider `offline`, model `offline-heuristics` in `ai_runs` and logs.
public struct OfflineLLMProvider: LLMProvider {
    public var name: String { "offline" }
    public var model: String { "offline-heuristics" }

    public init() {}

    public func complete(_ request: LLMRequest) async throws -> LLMCompletion {
        let answer: JSONValue = switch request.task {
        case .proposalDraft: OfflineProposalDrafter.draft(request.data)
        case .classifyMessage: OfflineMessageClassifier.classify(request.data["text"]?.stringValue ?? "")
        case .menuExtract: MenuTextParser.parse(request.data["text"]?.stringValue ?? "").json
        }
        let text = answer.jsonText
        // A rough count (four characters a token) keeps the ledger's token columns meaningful.
        let input = (request.system.count + request.messages.map(\.text.count).reduce(0, +)) / 4
        return LLMCompletion(text: text, usage: LLMUsage(inputTokens: input, outputTokens: text.count / 4), model: model)
    }
}
