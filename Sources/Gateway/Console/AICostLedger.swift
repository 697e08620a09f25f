import Foundation
import Logging
import PostgresNIO

/// The AI cost ledger (`app.ai_runs`, one row per LLM call) summed by UTC day, model and
/// provider, across every tenant: what the operator pays for.
struct AICostLedger: Sendable {
    let client: PostgresClient
    let logger: Logger

    struct Line: Sendable {
        var day: String
        var model: String
        var provider: String
        var calls: Int64
        var failed: Int64
        var inputTokens: Int64
        var outputTokens: Int64
        var costMicros: Int64
    }

    func lines(days: Int = 30) async throws -> [Line] {
        let rows = try await client.query("""
            select (created_at at time zone 'UTC')::date::text, model, coalesce(provider, ''),
                   count(*), count(*) filter (where not succeeded),
                   coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint,
                   coalesce(sum(cost_usd_micros), 0)::bigint
              from app.ai_runs
             where created_at > now() - make_interval(days => \(days)::int)
             group by 1, 2, 3
             order by 1 desc, 2, 3
            """, logger: logger)
        var lines: [Line] = []
        for try await (day, model, provider, calls, failed, input, output, cost) in rows.decode((String, String, String, Int64, Int64, Int64, Int64, Int64).self) {
            lines.append(Line(day: day, model: model, provider: provider, calls: calls, failed: failed, inputTokens: input, outputTokens: output, costMicros: cost))
        }
        return lines
    }
}
