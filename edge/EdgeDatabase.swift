import BanquetCore
import Logging
import PostgresNIO

/// The database as a webhook sees it: one short transaction as `service_role` (the same
/// transaction-local `role` and `request.jwt.claims` the gateway sets per request), so the
/// write-back functions' `service_role` checks hold on Supabase as on plain PostgreSQL.
///
/// A webhook answers its provider within seconds; nothing slow runs inside this transaction —
/// heavier work is enqueued to the bridge by the functions it calls.
public struct EdgeDatabase: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Runs `work` in one transaction as `role` (service_role, or anon for a public form, whose
    /// `request.headers` carry the client address the SQL rate limits read); a thrown error rolls
    /// everything back.
    public func transaction<T: Sendable>(role: String = "service_role", headersJSON: String = "{}", logger: Logger,
                                         _ work: (PostgresConnection) async throws -> T) async throws -> T {
        let claims = "{\"role\":\"\(role == "anon" ? "anon" : "service_role")\"}"
        return try await client.withConnection { connection in
            try await connection.query("begin isolation level read committed", logger: logger)
            do {
                try await connection.query("""
                    select set_config('role', \(role), true),
                           set_config('request.jwt.claims', \(claims), true),
                           set_config('request.headers', \(headersJSON), true),
                           set_config('statement_timeout', '10s', true)
                    """, logger: logger)
                let result = try await work(connection)
                try await connection.query("commit", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("rollback", logger: logger)
                throw error
            }
        }
    }

    /// Runs `work` inside a savepoint, so one bad event in a batched delivery (an unknown
    /// message id, say) is skipped without undoing the others. Returns nil when it failed.
    public static func savepoint<T: Sendable>(_ connection: PostgresConnection, logger: Logger,
                                              _ work: () async throws -> T) async -> Result<T, any Error> {
        do {
            try await connection.query("savepoint edge_event", logger: logger)
            let value = try await work()
            try await connection.query("release savepoint edge_event", logger: logger)
            return .success(value)
        } catch {
            _ = try? await connection.query("rollback to savepoint edge_event", logger: logger)
            return .failure(error)
        }
    }
}

/// What `public.ingest_webhook_event` answered.
public struct IngestedEvent: Sendable {
    public var id: Int64
    public var duplicate: Bool
}

extension PostgresConnection {
    /// Records a provider event once per (provider, event id); a duplicate must not be processed again.
    func ingestWebhookEvent(provider: String, eventID: String, payload: String, organizationID: String?, logger: Logger) async throws -> IngestedEvent {
        let rows = try await query("""
            select (r ->> 'id')::bigint, (r ->> 'duplicate')::boolean
            from public.ingest_webhook_event(\(provider), \(eventID), \(payload)::jsonb, \(organizationID)::uuid) r
            """, logger: logger)
        for try await (id, duplicate) in rows.decode((Int64, Bool).self) {
            return IngestedEvent(id: id, duplicate: duplicate)
        }
        throw EdgeFailure.internal("ingest_webhook_event returned no row")
    }

    /// Marks an ingested event processed, ignored (e.g. an unknown account) or failed, with why.
    func finishWebhookEvent(_ id: Int64, status: String, error: String? = nil, logger: Logger) async throws {
        try await query("""
            update app.webhook_events set status = \(status), error = \(error), processed_at = now() where id = \(id)
            """, logger: logger)
    }

    /// The organization owning an active channel account, or nil when the account is unknown.
    func channelAccountOrganization(channel: String, externalID: String, logger: Logger) async throws -> String? {
        let rows = try await query("""
            select a.organization_id::text from app.channel_accounts a
            where a.channel = \(channel) and a.external_id = \(externalID) and a.active
            """, logger: logger)
        for try await organization in rows.decode(String.self) { return organization }
        return nil
    }
}
