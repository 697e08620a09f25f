import BridgeRuntime
import Foundation
import Hummingbird
import PostgresNIO

/// Queues, jobs, one job, redrive and cancel, write-backs.
extension ConsoleRoutes {
    /// The statuses a job list may filter on; `failing` is pending with a failed last attempt.
    static let jobStatuses = ["pending", "failing", "running", "dead", "succeeded", "cancelled"]

    struct QueueRow {
        var queue: String
        var kind: String
        var counts: [String: Int64] = [:]
        var failing: Int64 = 0
        var oldestDueAge: Duration?
        var throughput: JobAdmin.Throughput?
    }

    struct Overview {
        var rows: [QueueRow]
        var unhandled: [JobAdmin.UnhandledKind]
        var outcomes: [JobAdmin.MinuteOutcomes]
    }

    func overview() async throws -> Overview {
        var rows: [String: QueueRow] = [:]
        func key(_ queue: String, _ kind: String) -> String { queue + "\u{0}" + kind }
        for count in try await jobs.stats() {
            rows[key(count.queue, count.kind), default: QueueRow(queue: count.queue, kind: count.kind)].counts[count.status] = count.count
            if count.status == "pending" { rows[key(count.queue, count.kind)]?.oldestDueAge = count.oldestDueAge }
        }
        for failing in try await jobs.failingCounts() {
            rows[key(failing.queue, failing.kind), default: QueueRow(queue: failing.queue, kind: failing.kind)].failing = failing.count
        }
        for throughput in try await jobs.throughput() {
            rows[key(throughput.queue, throughput.kind), default: QueueRow(queue: throughput.queue, kind: throughput.kind)].throughput = throughput
        }
        return Overview(rows: rows.values.sorted { ($0.queue, $0.kind) < ($1.queue, $1.kind) },
                        unhandled: try await jobs.unhandledKinds(), outcomes: try await jobs.outcomesPerMinute(minutes: 60))
    }

    // MARK: Pages

    func queuesPage() async throws -> Response {
        let overview = try await overview()
        let rows: [HTML] = overview.rows.map { row in
            let dead = row.counts["dead"] ?? 0
            return """
                <tr data-queue="\(row.queue)" data-kind="\(row.kind)"><td>\(row.queue)</td><td>\(row.kind)</td>
                <td class="num">\(row.counts["pending"] ?? 0)</td><td class="num">\(row.counts["running"] ?? 0)</td>
                <td class="num">\(row.oldestDueAge.map { ConsoleFormat.age($0) } ?? "")</td>
                <td class="num">\(row.failing > 0 ? HTML("<a href=\"/console/jobs?status=failing&amp;kind=\(HTML.pathSegment(row.kind))\">\(row.failing)</a>") : "0")</td>
                <td class="num">\(dead > 0 ? HTML("<a href=\"/console/jobs?status=dead&amp;kind=\(HTML.pathSegment(row.kind))\">\(dead)</a>") : "0")</td>
                <td class="num">\(row.counts["succeeded"] ?? 0)</td>
                <td class="num">\(ConsoleFormat.perMinute(row.throughput?.perMinute15 ?? 0))</td>
                <td class="num">\(ConsoleFormat.perMinute(row.throughput?.perMinute60 ?? 0))</td>
                <td class="num">\(row.throughput?.dead60 ?? 0)</td></tr>
                """
        }
        let unhandled: [HTML] = overview.unhandled.map {
            "<li><strong>\($0.kind)</strong> (queue \($0.queue)): \($0.due) due, oldest waiting \(ConsoleFormat.age($0.oldestDueAge)) — no running daemon has a handler for it</li>"
        }
        return ConsolePage(title: "Queues", body: """
            <table id="queues"><thead><tr><th>queue</th><th>kind</th><th class="num">pending</th><th class="num">running</th>
            <th class="num">oldest due</th><th class="num">failing</th><th class="num">dead</th><th class="num">succeeded (kept)</th>
            <th class="num">completed/min 15 min</th><th class="num">completed/min 60 min</th><th class="num">dead last hour</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"11\" class=\"muted\">No jobs yet.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody></table>
            \(unhandled.isEmpty ? "" : HTML("<h2>Kinds no daemon runs</h2><ul>\(unhandled)</ul>"))
            <h2>Jobs per minute by outcome, last hour</h2>
            \(OutcomeChart(minutes: 60, outcomes: overview.outcomes, now: Date()).render())
            <p class="muted">Failed: jobs whose latest attempt failed in that minute and that wait to retry. Pending counts include jobs scheduled for later.</p>
            """, live: true).response()
    }

    func jobsPage(_ request: Request) async throws -> Response {
        let filter = Self.jobFilter(request)
        let list = try await jobs.list(filter)
        let tabs: [HTML] = (["all"] + Self.jobStatuses).map { status in
            let selected = (filter.status ?? "all") == status
            let href = status == "all" ? "/console/jobs" : "/console/jobs?status=\(status)"
            return selected ? "<strong>\(status)</strong> " : "<a href=\"\(href)\">\(status)</a> "
        }
        let rows: [HTML] = list.map { job in
            """
            <tr id="job-\(job.id)" data-status="\(job.status)"><td><a href="/console/jobs/\(job.id)">\(job.id)</a></td><td>\(job.kind)</td><td>\(job.queue)</td>
            <td class="status-\(job.status)">\(job.status)</td><td class="num">\(job.attempts)/\(job.maxAttempts)</td>
            <td>\(ConsoleFormat.time(job.updatedAt))</td><td class="error">\(ConsoleFormat.truncated(job.lastError ?? "", 400))</td>
            <td>\(Self.actions(id: job.id, status: job.status))</td></tr>
            """
        }
        let title = filter.status.map { "Jobs: \($0)" } ?? "Jobs"
        return ConsolePage(title: title, body: """
            <p>\(tabs)\(filter.kind.map { HTML("· kind <code>\($0)</code>") } ?? "")</p>
            <table id="jobs"><thead><tr><th>id</th><th>kind</th><th>queue</th><th>status</th><th class="num">attempts</th><th>updated</th><th>last error</th><th></th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\" class=\"muted\">No jobs match.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody></table>
            <p class="muted">Newest first, at most \(filter.limit). Redrive runs a dead or cancelled job again now; cancel stops a pending job at once and a running one at its next heartbeat.</p>
            """, live: true).response()
    }

    func jobPage(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        guard let fields = try await jobs.show(id) else { throw ConsoleError.notFound("No job \(id): it may have been pruned.") }
        let status = fields.first { $0.field == "status" }?.value ?? ""
        let rows: [HTML] = fields.map { field in
            switch field.field {
            case "payload", "result":
                return "<tr><th>\(field.field)</th><td><pre id=\"job-\(field.field)\">\(PayloadRedaction.prettyJSON(field.value))</pre></td></tr>"
            case "last error":
                return "<tr><th>last error</th><td><pre class=\"error\" id=\"job-error\">\(field.value)</pre></td></tr>"
            case "status":
                return "<tr><th>status</th><td><span id=\"job-status\" class=\"status-\(field.value)\">\(field.value)</span></td></tr>"
            default:
                return "<tr><th>\(field.field)</th><td>\(field.value)</td></tr>"
            }
        }
        let notice = Self.notices[request.uri.queryParameters["notice"].map(String.init) ?? ""].map { HTML("<p role=\"status\" id=\"notice\">\($0)</p>") } ?? ""
        return ConsolePage(title: "Job \(id)", body: """
            \(notice)
            <p>\(Self.actions(id: id, status: status))</p>
            <table id="job">\(rows)</table>
            <p class="muted">Keys named like secret, token, password or authorization are shown as ***.</p>
            """, live: true).response()
    }

    enum JobAction: String {
        case retry, cancel
    }

    /// The fixed messages a redirect after an action may show (no text travels in the URL).
    static let notices = [
        "redriven": "Redriven: the job is pending again and runs now.",
        "not-redriven": "Not redriven: only a dead or cancelled job can run again.",
        "cancelled": "Cancelled (a running job stops at its next heartbeat).",
        "not-cancelled": "Not cancelled: the job had already finished.",
    ]

    func jobAction(_ action: JobAction, _ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        let done = try await perform(action, id: id)
        let notice = switch action {
        case .retry: done ? "redriven" : "not-redriven"
        case .cancel: done ? "cancelled" : "not-cancelled"
        }
        return ConsoleResponse.redirect("/console/jobs/\(id)?notice=\(notice)")
    }

    /// Redrive or cancel through `JobAdmin` (`bridge.retry` / `bridge.cancel`); their domain
    /// errors become answers an operator can act on.
    func perform(_ action: JobAction, id: Int64) async throws -> Bool {
        do {
            let done: Bool
            switch action {
            case .retry: done = try await jobs.retry(id)
            case .cancel: done = try await jobs.cancel(id)
            }
            logger.info("console: job \(action.rawValue)", metadata: ["job_id": "\(id)", "done": "\(done)"])
            return done
        } catch let error as PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "BR404": throw ConsoleError.notFound("No job \(id): it may have been pruned.")
            case "BR003": throw ConsoleError(status: .conflict, title: "Not redriven",
                                             message: "Job \(id)'s dedupe key is held by another unfinished job of its kind; that job carries the work.")
            default: throw error
            }
        }
    }

    func writebacksPage() async throws -> Response {
        let rows: [HTML] = try await jobs.recentWritebacks(limit: 100).map { writeback in
            """
            <tr><td><a href="/console/jobs/\(writeback.jobID)">\(writeback.jobID)</a></td><td>\(writeback.kind)</td><td><code>\(writeback.function)</code></td>
            <td>\(writeback.tenantID ?? "")</td><td>\(ConsoleFormat.time(writeback.finishedAt))</td>
            <td><pre>\(ConsoleFormat.truncated(PayloadRedaction.prettyJSON(writeback.result ?? "null"), 1200))</pre></td></tr>
            """
        }
        return ConsolePage(title: "Recent write-backs", body: """
            <p>Succeeded jobs whose kind has a write-back function: <code>bridge.complete</code> ran that function with the result shown, in the
            transaction that finished the job. Newest first; finished jobs are pruned after their retention.</p>
            <table id="writebacks"><thead><tr><th>job</th><th>kind</th><th>write-back</th><th>tenant</th><th>finished</th><th>result</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\" class=\"muted\">Nothing written back yet.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody></table>
            """, live: true).response()
    }

    // MARK: JSON

    func overviewJSON() async throws -> Any {
        let overview = try await overview()
        return [
            "queues": overview.rows.map { row -> [String: Any] in
                [
                    "queue": row.queue, "kind": row.kind,
                    "pending": row.counts["pending"] ?? 0, "running": row.counts["running"] ?? 0, "failing": row.failing,
                    "dead": row.counts["dead"] ?? 0, "succeeded": row.counts["succeeded"] ?? 0, "cancelled": row.counts["cancelled"] ?? 0,
                    "oldest_due_age_seconds": nullable(row.oldestDueAge.map { Double($0.components.seconds) }),
                    "completed_per_minute_15": row.throughput?.perMinute15 ?? 0, "completed_per_minute_60": row.throughput?.perMinute60 ?? 0,
                    "dead_last_60_minutes": row.throughput?.dead60 ?? 0,
                ]
            },
            "unhandled": overview.unhandled.map { ["kind": $0.kind, "queue": $0.queue, "due": $0.due] as [String: Any] },
            "outcomes_per_minute": overview.outcomes.map {
                ["minute": ConsoleFormat.time($0.minute), "completed": $0.completed, "failed": $0.failed, "dead": $0.dead] as [String: Any]
            },
        ] as [String: Any]
    }

    func jobsJSON(_ request: Request) async throws -> Any {
        try await jobs.list(Self.jobFilter(request)).map { job -> [String: Any] in
            ["id": job.id, "kind": job.kind, "queue": job.queue, "status": job.status, "attempts": job.attempts,
             "max_attempts": job.maxAttempts, "run_at": ConsoleFormat.time(job.runAt), "updated_at": ConsoleFormat.time(job.updatedAt),
             "last_error": nullable(job.lastError)]
        }
    }

    func jobJSON(_ context: GatewayRequestContext) async throws -> Any {
        let id = try Self.jobID(context)
        guard let fields = try await jobs.show(id) else { throw ConsoleError.notFound("no job \(id)") }
        var object: [String: Any] = [:]
        for field in fields {
            let key = field.field.replacingOccurrences(of: " ", with: "_")
            switch field.field {
            case "payload", "result": object[key] = field.value.isEmpty ? NSNull() : nullable(PayloadRedaction.redactedObject(field.value))
            case "id": object[key] = Int64(field.value) ?? 0
            default: object[key] = field.value
            }
        }
        return object
    }

    func actionJSON(_ action: JobAction, _ context: GatewayRequestContext) async throws -> Any {
        let id = try Self.jobID(context)
        let done = try await perform(action, id: id)
        let outcome = action == .retry ? "redriven" : "cancelled"
        return ["id": id, outcome: done] as [String: Any]
    }

    func writebacksJSON() async throws -> Any {
        try await jobs.recentWritebacks(limit: 100).map { writeback -> [String: Any] in
            ["job_id": writeback.jobID, "kind": writeback.kind, "function": writeback.function,
             "tenant_id": nullable(writeback.tenantID), "finished_at": ConsoleFormat.time(writeback.finishedAt),
             "result": nullable(PayloadRedaction.redactedObject(writeback.result))]
        }
    }

    // MARK: Shared

    /// JSON null for a missing value.
    func nullable(_ value: Any?) -> Any {
        value ?? NSNull()
    }

    static func jobID(_ context: GatewayRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { throw ConsoleError.notFound("A job id is a number.") }
        return id
    }

    static func jobFilter(_ request: Request) -> JobAdmin.Filter {
        let query = request.uri.queryParameters
        let status = query["status"].map(String.init).flatMap { jobStatuses.contains($0) ? $0 : nil }
        let kind = query["kind"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let limit = query["limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), 500) } ?? 100
        return JobAdmin.Filter(status: status, kind: kind, limit: limit)
    }

    static func actions(id: Int64, status: String) -> HTML {
        switch status {
        case "dead", "cancelled":
            return "<form method=\"post\" action=\"/console/jobs/\(id)/retry\" class=\"inline\"><button type=\"submit\" class=\"redrive\" data-job=\"\(id)\">Redrive</button></form>"
        case "pending", "running":
            return "<form method=\"post\" action=\"/console/jobs/\(id)/cancel\" class=\"inline\"><button type=\"submit\" class=\"cancel\" data-job=\"\(id)\">Cancel</button></form>"
        default:
            return ""
        }
    }
}
