import BanquetCore
import BridgeRuntime
import Connectors
import Foundation

/// `llm.classify_message`: an inbound message no keyword rule answered gets an intent, a
/// confidence, its language and a suggested reply for staff. Below the configured threshold the
/// write-back marks it `needs_human` and notifies staff: a guess that unsure decides nothing.
public struct ClassifyMessageHandler: JobHandler {
    public static let kind = "llm.classify_message"

    let runner: AIJobRunner
    let threshold: Double

    public init(runner: AIJobRunner, threshold: Double) {
        self.runner = runner
        self.threshold = threshold
    }

    public struct Payload: Decodable, Sendable {
        var messageID: UUID
        var text: String
        var channel: String?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case text, channel
        }
    }

    public var provider: String? { runner.providerKey }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        do {
            try await runner.admit(organizationID: job.tenantID)
        } catch let error as AIJobRunner.BudgetExceeded {
            throw JobFailure.permanent(error.description)
        }
        let text = String(payload.text.prefix(4000))
        let answer = try await runner.run(
            task: .classifyMessage, prompt: "classify_message",
            values: ["channel": payload.channel ?? "unknown", "guest_message": text],
            data: .object(["text": .string(text), "channel": .string(payload.channel ?? "")]),
            schema: AISchemas.classifyMessage, schemaName: "message_triage", maxOutputTokens: 600,
            job: job, organizationID: job.tenantID, logger: context.logger)
        let confidence = answer["confidence"]?.numberValue ?? 0
        var result = answer
        if case .object(var fields) = answer {
            fields["needs_human"] = .bool(confidence < threshold)
            result = .object(fields)
        }
        return .json(Data(result.jsonText.utf8))
    }
}
