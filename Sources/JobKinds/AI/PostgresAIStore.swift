import BanquetCore
import Connectors
import Foundation
import Logging
import PostgresNIO

/// `AIStore` over the daemon's pool, through the service-role SQL functions only.
public struct PostgresAIStore: AIStore {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func proposalContext(_ proposalID: UUID) async throws -> JSONValue {
        try await json(try await client.query("select public.ai_proposal_context(\(proposalID))::text", logger: logger))
    }

    public func admitAIJob(organizationID: UUID) async throws -> AIBudgetAdmission {
        let rows = try await client.query("select public.admit_ai_job(\(organizationID))::text", logger: logger)
        for try await text in rows.decode(String.self) {
            return try JSONDecoder().decode(AIBudgetAdmission.self, from: Data(text.utf8))
        }
        return AIBudgetAdmission(allowed: true)
    }

    public func recordAIRun(_ entry: AIRunEntry) async throws {
        let call = entry.call
        // 1. Integers go as bigint and are cast, so the call resolves to the one record_ai_run.
        _ = try await client.query("""
            select public.record_ai_run(
              \(entry.task.rawValue), \(call.model), \(Int64(call.usage.inputTokens))::integer,
              \(Int64(call.usage.outputTokens))::integer, \(Int64(call.latencyMilliseconds))::integer, \(call.costUSDMicros),
              \(entry.organizationID), \(entry.jobID), \(call.provider), \(call.error.map { String($0.prefix(2000)) }),
              \(entry.promptVersion), \(call.outcome), \(call.costSource))
            """, logger: logger)
    }

    private func json(_ rows: PostgresRowSequence) async throws -> JSONValue {
        for try await text in rows.decode(String.self) {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        }
        return .null
    }
}
