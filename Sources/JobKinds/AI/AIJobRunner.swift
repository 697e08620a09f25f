import BanquetCore
import BridgeRuntime
import Connectors
import Foundation
import Logging

/// What every AI job does around its model call: stop when the organization's budget is spent,
/// render the versioned prompt, get a validated answer (one repair attempt), and write every call
/// to the cost ledger — then translate a failure for the job runtime (retry rate limits and
/// outages, give up on the rest).
public struct AIJobRunner: Sendable {
    public let generator: StructuredGenerator
    public let store: any AIStore
    public let prompts: PromptLibrary
    public let timeout: Duration

    public init(generator: StructuredGenerator, store: any AIStore, prompts: PromptLibrary, timeout: Duration) {
        self.generator = generator
        self.store = store
        self.prompts = prompts
        self.timeout = timeout
    }

    /// The circuit-breaker key: one breaker per configured model provider.
    public var providerKey: String { "llm:\(generator.provider.name)" }

    /// Thrown when the organization's monthly AI budget is spent; the message is the job's status.
    public struct BudgetExceeded: Error, CustomStringConvertible {
        public var description: String
    }

    public func admit(organizationID: UUID?) async throws {
        guard let organizationID else { return }
        let admission: AIBudgetAdmission
        do {
            admission = try await store.admitAIJob(organizationID: organizationID)
        } catch {
            throw JobFailure.retryable("AI budget check failed: \(String(reflecting: error))")
        }
        if !admission.allowed {
            let spent = Double(admission.spentUSDMicros ?? 0) / 1e6
            let limit = Double(admission.monthlyLimitUSDMicros ?? 0) / 1e6
            throw BudgetExceeded(description: String(format: "ai_budget_exceeded: this month's AI spend $%.4f has reached the organization's budget of $%.4f; AI jobs are paused until the budget is raised or the month ends", spent, limit))
        }
    }

    public func run(
        task: LLMTask, prompt name: String, values: [String: String], data: JSONValue, schema: JSONValue, schemaName: String,
        maxOutputTokens: Int = 2048, check: @escaping StructuredGenerator.Check = { _ in [] },
        job: ClaimedJob, organizationID: UUID?, logger: Logger
    ) async throws -> JSONValue {
        let prompt: Prompt
        do {
            prompt = try prompts.prompt(name)
        } catch {
            throw JobFailure.permanent("\(error)")
        }
        let rendered = prompt.render(values)
        let request = LLMRequest(task: task, system: rendered.system, user: rendered.user, schema: schema, schemaName: schemaName,
                                 data: data, maxOutputTokens: maxOutputTokens, timeout: timeout)
        do {
            return try await generator.generate(request, check: check) { call in
                let entry = AIRunEntry(task: task, promptVersion: prompt.version, organizationID: organizationID, jobID: job.id, call: call)
                do {
                    try await store.recordAIRun(entry)
                } catch {
                    // The answer is still worth keeping; a missing ledger row is logged loudly instead.
                    logger.error("could not record the AI run", metadata: ["error": "\(String(reflecting: error))", "outcome": "\(call.outcome)"])
                }
                logger.info("AI call", metadata: [
                    "provider": "\(call.provider)", "model": "\(call.model)", "outcome": "\(call.outcome)",
                    "prompt": "\(prompt.version)", "input_tokens": "\(call.usage.inputTokens)",
                    "output_tokens": "\(call.usage.outputTokens)", "cost_usd_micros": "\(call.costUSDMicros)",
                    "latency_ms": "\(call.latencyMilliseconds)",
                ])
            }
        } catch let error as LLMError {
            throw error.isRetryable ? JobFailure.retryable(error.description, retryAfter: error.retryAfter) : JobFailure.permanent(error.description)
        }
    }
}
