/// Why `banquet migrate` stopped. Every case names the file to look at; none leaves a partial
/// migration behind (each migration runs in its own transaction).
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case invalidFileName(path: String)
    case duplicateVersion(version: String, files: [String])
    /// The splitter found an unterminated quote, dollar quote or comment.
    case syntax(path: String, line: Int, message: String)
    /// A migration that is already recorded no longer has the recorded content.
    case editedAfterApplied(path: String, recordedChecksum: String, fileChecksum: String)
    /// A statement PostgreSQL refuses to run inside a transaction block.
    case notTransactional(path: String, line: Int, statement: String)
    case statementFailed(StatementFailure)
    case connection(url: String, reason: String)
    /// A query of the runner's own bookkeeping failed.
    case database(String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidFileName(let path):
            return "\(path): migration files must be named <14-digit version>_<lowercase_name>.sql, e.g. 20261121000200_tenancy.sql"
        case .duplicateVersion(let version, let files):
            return "version \(version) is used by more than one migration: \(files.joined(separator: ", ")); give each file its own version"
        case .syntax(let path, let line, let message):
            return "\(path):\(line): \(message)"
        case .editedAfterApplied(let path, let recorded, let current):
            return "\(path) was edited after it was applied (checksum \(recorded.prefix(12))… ≠ \(current.prefix(12))…); migrations are append-only: revert the edit and add a new migration"
        case .notTransactional(let path, let line, let statement):
            return "\(path):\(line): `\(statement)` cannot run inside a transaction, and banquet migrate runs each migration in one; move it out of the migration (or do without it)"
        case .statementFailed(let failure):
            return failure.description
        case .connection(let url, let reason):
            return "cannot connect to \(url): \(reason)"
        case .database(let message):
            return message
        }
    }
}

/// A statement of a migration (or platform file) that the server rejected.
public struct StatementFailure: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The script line the server's error position points at, or else the statement's first line.
    public var line: Int
    public var statement: String
    public var message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    /// Where inside a function body the error arose (the server's CONTEXT).
    public var context: String?

    public init(path: String, line: Int, statement: String, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil, context: String? = nil) {
        self.path = path
        self.line = line
        self.statement = statement
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.context = context
    }

    public var description: String {
        var lines = ["\(path):\(line): \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")]
        if let detail { lines.append("  detail: \(detail)") }
        if let hint { lines.append("  hint: \(hint)") }
        if let context { lines.append("  context: \(context)") }
        let firstLine = statement.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? statement
        lines.append("  statement: \(firstLine)\(statement.contains("\n") ? " …" : "")")
        lines.append("  the file was rolled back; nothing from it was applied or recorded")
        return lines.joined(separator: "\n")
    }
}
