import ArgumentParser
import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// `banquet jobs`: list, inspect, retry and cancel bridge jobs, and show queue statistics.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect and operate the bridge job queue.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Stats.self],
        defaultSubcommand: List.self
    )

    struct Connection: ParsableArguments {
        @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else the embedded cluster).")
        var databaseURL: String?

        /// Runs `body` with a client connected to the database, then shuts the client down.
        func withClient<T: Sendable>(_ body: @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
            var env = Environment()
            if let databaseURL { env.values["DATABASE_URL"] = databaseURL }
            let url = try env.databaseURL()
            var logger = Logger(label: "banquet.jobs")
            logger.logLevel = .error
            let client = PostgresClient(configuration: url.clientConfiguration(maxConnections: 1, applicationName: "banquet-jobs"), backgroundLogger: logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { await client.run(); return nil }
                defer { group.cancelAll() }
                do {
                    return try await body(client, logger)
                } catch let error as PSQLError {
                    throw BanquetError.usage(JobsCommand.describe(error))
                }
            }
        }
    }

    /// A database error as one line for the operator: message, hint, SQLSTATE.
    static func describe(_ error: PSQLError) -> String {
        guard let info = error.serverInfo else { return "cannot reach the database (\(error.code))" }
        var text = info[.message] ?? "database error"
        if let hint = info[.hint] { text += "\nhint: \(hint)" }
        return text + " [\(info[.sqlState] ?? "?")]"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var connection: Connection
        @Option(help: "Only jobs in this status (pending, running, succeeded, dead, cancelled).") var status: String?
        @Option(help: "Only jobs of this kind.") var kind: String?
        @Option(help: "Only jobs on this queue.") var queue: String?
        @Option(help: "At most this many rows.") var limit: Int = 50

        func run() async throws {
            let (status, kind, queue, limit) = (status, kind, queue, limit)
            let rows = try await connection.withClient { client, logger in
                let result = try await client.query("""
                    select id, status, queue, kind, attempts, max_attempts, to_char(run_at, 'YYYY-MM-DD HH24:MI:SS'),
                           to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(locked_by, ''), coalesce(last_error, '')
                      from bridge.jobs
                     where (\(status)::text is null or status = \(status))
                       and (\(kind)::text is null or kind = \(kind))
                       and (\(queue)::text is null or queue = \(queue))
                     order by id desc
                     limit \(limit)
                    """, logger: logger)
                var rows: [[String]] = []
                for try await (id, status, queue, kind, attempts, max, runAt, updated, worker, error)
                    in result.decode((Int64, String, String, String, Int, Int, String, String, String, String).self) {
                    rows.append(["\(id)", status, queue, kind, "\(attempts)/\(max)", runAt, updated, worker, Table.truncate(error, 60)])
                }
                return rows
            }
            print(Table.render(header: ["ID", "STATUS", "QUEUE", "KIND", "TRIES", "RUN AT (UTC)", "UPDATED (UTC)", "WORKER", "LAST ERROR"], rows: rows))
            if rows.isEmpty { print("no jobs match") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job in full: payload, result, last error.")
        @OptionGroup var connection: Connection
        @Argument(help: "Job id.") var id: Int64

        func run() async throws {
            let id = id
            let fields = try await connection.withClient { client, logger -> [(String, String)]? in
                let result = try await client.query("""
                    select id::text, status, queue, kind, coalesce(tenant_id::text, ''), coalesce(dedupe_key, ''), priority::text,
                           attempts || ' of ' || max_attempts, run_at::text, created_at::text, updated_at::text,
                           coalesce(finished_at::text, ''), coalesce(locked_by, ''), coalesce(locked_until::text, ''),
                           cancel_requested::text, jsonb_pretty(payload), coalesce(jsonb_pretty(result), ''), coalesce(last_error, '')
                      from bridge.jobs where id = \(id)
                    """, logger: logger)
                let names = ["id", "status", "queue", "kind", "tenant", "dedupe key", "priority", "attempts", "run at", "created",
                             "updated", "finished", "worker", "locked until", "cancel requested", "payload", "result", "last error"]
                for try await row in result {
                    let values = try row.makeRandomAccess().map { try $0.decode(String.self) }
                    return Array(zip(names, values))
                }
                return nil
            }
            guard let fields else { throw BanquetError.usage("job \(id) not found (it may have been pruned)") }
            let width = fields.map(\.0.count).max() ?? 0
            for (name, value) in fields where !value.isEmpty {
                let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
                print("\(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(lines.first ?? "")")
                for line in lines.dropFirst() { print("\(String(repeating: " ", count: width))  \(line)") }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run jobs again now: the given ids, or with --dead every dead job (of --kind).")
        @OptionGroup var connection: Connection
        @Argument(help: "Job ids.") var ids: [Int64] = []
        @Flag(help: "Redrive every dead job (of --kind, if given).") var dead = false
        @Option(help: "With --dead: only this kind.") var kind: String?

        func validate() throws {
            if ids.isEmpty != dead { throw ValidationError("give job ids, or --dead to redrive dead jobs") }
        }

        func run() async throws {
            let (ids, dead, kind) = (ids, dead, kind)
            let lines = try await connection.withClient { client, logger in
                if dead {
                    let rows = try await client.query("select bridge.redrive(\(kind))", logger: logger)
                    for try await count in rows.decode(Int.self) { return ["requeued \(count) dead job(s)"] }
                    return []
                }
                var lines: [String] = []
                for id in ids {
                    let rows = try await client.query("select bridge.retry(\(id))", logger: logger)
                    for try await count in rows.decode(Int.self) {
                        lines.append(count == 1 ? "job \(id): requeued" : "job \(id): not requeued (it is running or already succeeded)")
                    }
                }
                return lines
            }
            lines.forEach { print($0) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel jobs: pending ones at once, running ones at their next heartbeat.")
        @OptionGroup var connection: Connection
        @Argument(help: "Job ids.") var ids: [Int64]

        func run() async throws {
            let ids = ids
            let lines = try await connection.withClient { client, logger in
                var lines: [String] = []
                for id in ids {
                    let rows = try await client.query("select bridge.cancel(\(id))", logger: logger)
                    for try await cancelled in rows.decode(Bool.self) {
                        lines.append(cancelled ? "job \(id): cancel requested" : "job \(id): already finished, nothing to cancel")
                    }
                }
                return lines
            }
            lines.forEach { print($0) }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Job counts per queue, kind and status.")
        @OptionGroup var connection: Connection

        func run() async throws {
            let rows = try await connection.withClient { client, logger in
                let result = try await client.query("select queue, kind, status, count, oldest_pending_age_seconds from bridge.stats()", logger: logger)
                var rows: [[String]] = []
                for try await (queue, kind, status, count, age) in result.decode((String, String, String, Int64, Double?).self) {
                    rows.append([queue, kind, status, "\(count)", age.map { String(format: "%.1fs", $0) } ?? ""])
                }
                return rows
            }
            print(Table.render(header: ["QUEUE", "KIND", "STATUS", "COUNT", "OLDEST DUE"], rows: rows))
            if rows.isEmpty { print("no jobs") }
        }
    }
}

/// Plain-text tables for the terminal: columns padded to their widest cell.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }
}
