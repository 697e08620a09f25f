import PostgresNIO

/// The one way to describe a database error, for logs, `bridge.jobs.last_error` and the CLI.
///
/// A `PSQLError`'s own description can carry the query text; these never do. Clients of the HTTP
/// gateway get none of this: they get the SQLSTATE mapped to an HTTP error.
public enum DatabaseError {
    /// The SQLSTATE the server answered with, or nil when the connection failed instead.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// True when the server answered with an error (as opposed to the connection failing).
    public static func isServerError(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo != nil
    }

    /// `BR409: bridge: stale lease for job 7`; `database unavailable (connectionError: …)` when no
    /// server answered; any other error as Swift reflects it.
    public static func describe(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return String(reflecting: error) }
        if let info = psql.serverInfo {
            return "\(info[.sqlState] ?? "?????"): \(info[.message] ?? "database error")"
        }
        if let underlying = psql.underlying { return "database unavailable (\(psql.code): \(underlying))" }
        return "database unavailable (\(psql.code))"
    }

    /// For a person at a terminal: the message, the hint on its own line, then the SQLSTATE.
    public static func describeForOperator(_ error: any Error) -> String {
        guard let psql = error as? PSQLError, let info = psql.serverInfo else { return describe(error) }
        var text = info[.message] ?? "database error"
        if let hint = info[.hint] { text += "\nhint: \(hint)" }
        return text + " [\(info[.sqlState] ?? "?")]"
    }
}
