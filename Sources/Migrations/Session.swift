import BanquetCore
import Logging
import PostgresNIO

/// The runner's one connection, with errors turned into `MigrationError`s that name files and lines.
struct Session: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs bookkeeping SQL (not migration content) and drains its rows.
    func execute(_ query: PostgresQuery) async throws(MigrationError) {
        do {
            let rows = try await connection.query(query, logger: logger)
            for try await _ in rows {}
        } catch {
            throw .database("\(query.sql): \(DatabaseError.describe(error))")
        }
    }

    func firstRow<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws(MigrationError) -> T? {
        do {
            let rows = try await connection.query(query, logger: logger)
            for try await row in rows {
                return try row.decode(T.self)
            }
            return nil
        } catch {
            throw .database("\(query.sql): \(DatabaseError.describe(error))")
        }
    }

    func lock(key: Int64, whileWaiting: () -> Void) async throws(MigrationError) {
        if try await firstRow("select pg_try_advisory_lock(\(key))", as: Bool.self) == true { return }
        whileWaiting()
        try await execute("select pg_advisory_lock(\(key))")
    }

    /// Runs every statement of `file` and then `record` in one transaction; on any error rolls
    /// back and throws a `StatementFailure` naming the file and line.
    func applyInTransaction(_ file: SQLFile, record: ((Session) async throws(MigrationError) -> Void)? = nil) async throws(MigrationError) {
        if let statement = file.statements.first(where: Self.cannotRunInTransaction) {
            throw .notTransactional(path: file.displayPath, line: statement.line, statement: statement.leadingWords.prefix(4).joined(separator: " "))
        }
        try await execute("begin")
        do throws(MigrationError) {
            for statement in file.statements {
                try await run(statement, of: file)
            }
            try await record?(self)
            do {
                try await connection.query("commit", logger: logger)
            } catch {
                // Deferred constraints are checked at commit: blame the file's last statement.
                throw failure(error, file: file, statement: file.statements.last ?? SQLStatement(text: "commit", line: 1, leadingWords: []))
            }
        } catch {
            _ = try? await connection.query("rollback", logger: logger)
            throw error
        }
        // Session settings a migration changed (search_path, role, …) must not leak into the next.
        try await execute("reset all")
    }

    private func run(_ statement: SQLStatement, of file: SQLFile) async throws(MigrationError) {
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: statement.text), logger: logger)
            for try await _ in rows {}
        } catch {
            throw failure(error, file: file, statement: statement)
        }
    }

    private func failure(_ error: any Error, file: SQLFile, statement: SQLStatement) -> MigrationError {
        guard let psql = error as? PSQLError, let info = psql.serverInfo else {
            return .statementFailed(StatementFailure(path: file.displayPath, line: statement.line, statement: statement.text, message: DatabaseError.describe(error)))
        }
        let line = info[.position].flatMap(Int.init).map(statement.line(atPosition:)) ?? statement.line
        return .statementFailed(StatementFailure(
            path: file.displayPath,
            line: line,
            statement: statement.text,
            message: info[.message] ?? "unknown server error",
            sqlState: info[.sqlState],
            detail: info[.detail],
            hint: info[.hint],
            context: info[.locationContext]
        ))
    }

    /// Statements PostgreSQL refuses inside a transaction block, and transaction control that
    /// would end the runner's own transaction early.
    static func cannotRunInTransaction(_ statement: SQLStatement) -> Bool {
        let words = statement.leadingWords
        func starts(_ prefix: String...) -> Bool { words.starts(with: prefix) }
        return starts("create", "index", "concurrently") || starts("create", "unique", "index", "concurrently")
            || starts("drop", "index", "concurrently") || (words.first == "reindex" && words.contains("concurrently"))
            || starts("vacuum") || starts("create", "database") || starts("drop", "database")
            || starts("alter", "system") || starts("create", "tablespace") || starts("drop", "tablespace")
            || starts("begin") || starts("start", "transaction") || starts("commit") || starts("end")
            || starts("rollback") || starts("abort") || starts("prepare", "transaction")
    }
}
