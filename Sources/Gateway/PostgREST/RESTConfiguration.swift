import BanquetCore
import Foundation

/// `/rest/v1` settings, from the environment (.env.example documents each).
struct RESTConfiguration: Sendable {
    /// `BANQUET_DB_SCHEMAS`: the schemas whose functions are callable, first one the default
    /// (PostgREST's `db-schemas`).
    var schemas: [String]
    /// `BANQUET_MAX_BODY_BYTES`: larger request bodies are refused with 413 before they are read.
    var maxBodyBytes: Int
    /// `BANQUET_RPC_ANON_RATE_LIMIT` calls per minute per client IP for anonymous callers
    /// (0 disables); signed-in users are limited by RLS and statement timeouts instead.
    var anonymousCallsPerMinute: Int
    /// `BANQUET_TRUST_PROXY`: take the client IP from X-Forwarded-For (behind a load balancer only).
    var trustProxy: Bool

    init(_ environment: BanquetCore.Environment) throws {
        schemas = environment.string("BANQUET_DB_SCHEMAS", default: "public").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !schemas.isEmpty else { throw BanquetError.configuration("BANQUET_DB_SCHEMAS must name at least one schema") }
        maxBodyBytes = try environment.int("BANQUET_MAX_BODY_BYTES", default: 1 << 20)
        anonymousCallsPerMinute = try environment.int("BANQUET_RPC_ANON_RATE_LIMIT", default: 600)
        trustProxy = try environment.bool("BANQUET_TRUST_PROXY", default: false)
    }
}
