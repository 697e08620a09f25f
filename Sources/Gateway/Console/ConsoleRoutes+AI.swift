import Foundation
import Hummingbird

/// The AI cost ledger by day and model.
extension ConsoleRoutes {
    func aiPage() async throws -> Response {
        let lines = try await ledger.lines(days: 30)
        let rows: [HTML] = lines.map { line in
            """
            <tr><td>\(line.day)</td><td>\(line.model)</td><td>\(line.provider)</td><td class="num">\(line.calls)</td><td class="num">\(line.failed)</td>
            <td class="num">\(line.inputTokens)</td><td class="num">\(line.outputTokens)</td><td class="num">\(ConsoleFormat.usd(micros: line.costMicros))</td></tr>
            """
        }
        let total = lines.reduce(into: (calls: Int64(0), failed: Int64(0), input: Int64(0), output: Int64(0), cost: Int64(0))) {
            $0.calls += $1.calls
            $0.failed += $1.failed
            $0.input += $1.inputTokens
            $0.output += $1.outputTokens
            $0.cost += $1.costMicros
        }
        return ConsolePage(title: "AI costs", body: """
            <p>Every LLM call the daemon made (<code>app.ai_runs</code>), all tenants, by UTC day, model and provider, last 30 days.
            Cost is the provider's figure or the price table's (docs/ai.md); the offline provider costs nothing.</p>
            <table id="ai-ledger"><thead><tr><th>day</th><th>model</th><th>provider</th><th class="num">calls</th><th class="num">failed</th>
            <th class="num">input tokens</th><th class="num">output tokens</th><th class="num">cost</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\" class=\"muted\">No LLM calls in the last 30 days.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody>
            <tfoot><tr><th colspan="3">30 days</th><th class="num">\(total.calls)</th><th class="num">\(total.failed)</th><th class="num">\(total.input)</th><th class="num">\(total.output)</th>
            <th class="num">\(ConsoleFormat.usd(micros: total.cost))</th></tr></tfoot></table>
            """, live: true).response()
    }

    func aiJSON() async throws -> Any {
        try await ledger.lines(days: 30).map { line -> [String: Any] in
            ["day": line.day, "model": line.model, "provider": line.provider, "calls": line.calls, "failed": line.failed,
             "input_tokens": line.inputTokens, "output_tokens": line.outputTokens, "cost_usd_micros": line.costMicros]
        }
    }
}
