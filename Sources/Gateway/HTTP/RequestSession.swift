import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

/// Runs database work for one HTTP request the way PostgREST does: one transaction, the caller's
/// role switched with `set_config('role', …, true)`, the claims, method, path and headers in
/// `request.*` settings that `auth.uid()` and the RPCs read, then the work, then commit.
///
/// Everything is transaction-local, so a pooled connection carries nothing into the next request.
public struct RequestSession: Sendable {
    public struct Configuration: Sendable {
        /// `statement_timeout` per role; a request running longer is cancelled (57014 → 500).
        public var statementTimeouts: [String: String]
        /// The schema an unqualified name resolves in, before `extensions`.
        public var searchPath: String
        /// `banquet.public_url` for the transaction: links SQL builds in it (`app.public_url()`,
        /// e.g. the guest's `/p/<token>` in a proposal email) point at this gateway.
        public var publicURL: String = "http://localhost:54321"

        public init(statementTimeouts: [String: String] = ["anon": "3s", "authenticated": "8s", "service_role": "30s"], searchPath: String = "public") {
            self.statementTimeouts = statementTimeouts
            self.searchPath = searchPath
        }

        /// `BANQUET_STATEMENT_TIMEOUT_ANON`, `…_AUTHENTICATED`, `…_SERVICE_ROLE` (PostgreSQL
        /// durations: `3s`, `500ms`, `1min`), defaults 3s / 8s / 30s.
        public init(_ environment: BanquetCore.Environment) {
            var timeouts = Configuration().statementTimeouts
            for role in ["anon", "authenticated", "service_role"] {
                if let value = environment.optionalString("BANQUET_STATEMENT_TIMEOUT_" + role.uppercased()) { timeouts[role] = value }
            }
            self.init(statementTimeouts: timeouts)
        }
    }

    /// What PostgREST exposes of the request to SQL.
    public struct RequestFacts: Sendable {
        public var method: String
        public var path: String
        public var headersJSON: String

        public init(method: String, path: String, headersJSON: String) {
            self.method = method
            self.path = path
            self.headersJSON = headersJSON
        }

        /// Lower-cased header names as PostgREST gives them; `authorization` and `cookie` are
        /// left out so a token never lands in a setting a function could log.
        public init(_ request: Request) {
            var names: [String] = []
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                if name == "authorization" || name == "cookie" { continue }
                if let existing = headers[name] { headers[name] = existing + ", " + field.value } else { names.append(name); headers[name] = field.value }
            }
            // Written by hand: JSONSerialization cost more than the rest of the request's setup.
            var json = "{"
            for (index, name) in names.enumerated() {
                if index > 0 { json += "," }
                json += JSONText.quoted(name) + ":" + JSONText.quoted(headers[name]!)
            }
            json += "}"
            self.init(method: request.method.rawValue, path: request.uri.path, headersJSON: json)
        }
    }

    public let client: PostgresClient
    public let configuration: Configuration

    public init(client: PostgresClient, configuration: Configuration = .init()) {
        self.client = client
        self.configuration = configuration
    }

    /// Runs `work` in a transaction as `identity`. A thrown error rolls back.
    public func run<T: Sendable>(
        as identity: RequestIdentity,
        request: RequestFacts,
        readOnly: Bool = false,
        searchPath: String? = nil,
        logger: Logger,
        _ work: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query(readOnly ? "begin isolation level read committed read only" : "begin isolation level read committed", logger: logger)
            do {
                let timeout = configuration.statementTimeouts[identity.role] ?? "8s"
                let path = (searchPath ?? configuration.searchPath)
                try await connection.query("""
                    select set_config('search_path', \(quotedSearchPath(path)), true),
                           set_config('statement_timeout', \(timeout), true),
                           set_config('role', \(identity.role), true),
                           set_config('request.jwt.claims', \(identity.claimsJSON), true),
                           set_config('request.method', \(request.method), true),
                           set_config('request.path', \(request.path), true),
                           set_config('request.headers', \(request.headersJSON), true),
                           set_config('banquet.public_url', \(configuration.publicURL), true)
                    """, logger: logger)
                let result = try await work(connection)
                try await connection.query("commit", logger: logger)
                return result
            } catch {
                // The connection returns to the pool clean either way; a failed rollback means
                // the connection is broken and the pool discards it. PostgresNIO closes the
                // connection itself after a 28xxx error (and the server then rolls back), and a
                // query sent to a closing connection can wait forever, so none is sent then.
                if !connection.isClosed, !Self.closesConnection(error) {
                    _ = try? await connection.query("rollback", logger: logger)
                }
                throw error
            }
        }
    }

    /// Errors after which PostgresNIO closes the connection (ConnectionStateMachine.shouldCloseConnection).
    static func closesConnection(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError else { return false }
        guard let sqlState = psql.serverInfo?[.sqlState] else { return true }
        return sqlState.hasPrefix("28")
    }

    private func quotedSearchPath(_ schema: String) -> String {
        "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\", \"extensions\""
    }
}

extension JSONText {
    /// A JSON string literal, escaped as RFC 8259 requires.
    static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
