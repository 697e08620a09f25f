import ArgumentParser
import BanquetCore
import Foundation
import Logging
import BridgeRuntime
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

        /// Runs `body` with the job admin API on a client connected to the database, then shuts
        /// the client down. A database error becomes one line for the operator.
        func withAdmin<T: Sendable>(_ body: @Sendable (JobAdmin) async throws -> T) async throws -> T {
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
                    return try await body(JobAdmin(client: client, logger: logger))
                } catch let error as PSQLError {
                    throw BanquetError.usage(DatabaseError.describeForOperator(error))
                }
            }
        }

        /// Runs one admin action per job id, printing the line each returns.
        func forEach(_ ids: [Int64], _ action: @escaping @Sendable (JobAdmin, Int64) async throws -> String) async throws {
            let lines = try await withAdmin { admin in
                var lines: [String] = []
                for id in ids { lines.append(try await action(admin, id)) }
                return lines
            }
            lines.forEach { print($0) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var connection: Connection
        @Option(help: "Only jobs in this status (pending, running, succeeded, dead, cancelled; failing: pending after a failed attempt).") var status: String?
        @Option(help: "Only jobs of this kind.") var kind: String?
        @Option(help: "Only jobs on this queue.") var queue: String?
        @Option(help: "At most this many rows.") var limit: Int = 50

        func run() async throws {
            let filter = JobAdmin.Filter(status: status, kind: kind, queue: queue, limit: limit)
            let jobs = try await connection.withAdmin { try await $0.list(filter) }
            let rows = jobs.map { job in
                ["\(job.id)", job.status, job.queue, job.kind, "\(job.attempts)/\(job.maxAttempts)", Table.utc(job.runAt),
                 Table.utc(job.updatedAt), job.lockedBy ?? "", Table.truncate(job.lastError ?? "", 60)]
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
            guard let fields = try await connection.withAdmin({ try await $0.show(id) }) else {
                throw BanquetError.usage("job \(id) not found (it may have been pruned)")
            }
            let width = fields.map(\.field.count).max() ?? 0
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
            if dead {
                print("requeued \(try await connection.withAdmin { try await $0.redriveDead(kind: kind) }) dead job(s)")
                return
            }
            try await connection.forEach(ids) { admin, id in
                try await admin.retry(id) ? "job \(id): requeued" : "job \(id): not requeued (it is running or already succeeded)"
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel jobs: pending ones at once, running ones at their next heartbeat.")
        @OptionGroup var connection: Connection
        @Argument(help: "Job ids.") var ids: [Int64]

        func run() async throws {
            try await connection.forEach(ids) { admin, id in
                try await admin.cancel(id) ? "job \(id): cancel requested" : "job \(id): already finished, nothing to cancel"
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Job counts per queue, kind and status, and the kinds no running daemon handles.")
        @OptionGroup var connection: Connection

        func run() async throws {
            let (counts, unhandled) = try await connection.withAdmin { admin in
                (try await admin.stats(), try await admin.unhandledKinds())
            }
            let rows = counts.map { [$0.queue, $0.kind, $0.status, "\($0.count)", $0.oldestDueAge.map(Table.seconds) ?? ""] }
            print(Table.render(header: ["QUEUE", "KIND", "STATUS", "COUNT", "OLDEST DUE"], rows: rows))
            if rows.isEmpty { print("no jobs") }
            if !unhandled.isEmpty {
                print("\nunhandled: due jobs of kinds no daemon seen in the last 30 s has a handler for (they wait, they do not go dead)")
                print(Table.render(header: ["QUEUE", "KIND", "DUE", "OLDEST DUE"],
                                   rows: unhandled.map { [$0.queue, $0.kind, "\($0.due)", Table.seconds($0.oldestDueAge)] }))
            }
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

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", duration.inSeconds)
    }

    /// `2026-11-29 07:10:00`, in UTC.
    static func utc(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeSeparator: .colon))
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }
}
