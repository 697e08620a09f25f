import Foundation
import Logging
import PostgresNIO

/// Realtime Authorization for private channels, as Supabase does it: RLS policies on
/// `realtime.messages` decide who may receive (SELECT) and send (INSERT) on a topic. Both are
/// tried as the subscriber, with `realtime.topic` set, in one transaction that is rolled back.
struct ChannelAuthorizer: Sendable {
    struct Permissions: Sendable, Equatable {
        var read: Bool
        var write: Bool
    }

    let client: PostgresClient
    let logger: Logger

    func permissions(for identity: ChannelIdentity, subTopic: String) async throws -> Permissions {
        if identity.role == "service_role" { return Permissions(read: true, write: true) }
        return try await client.withConnection { connection in
            try await connection.realtimeQuery("begin", .authorize, logger: logger)
            do {
                // 1. A probe message on the topic, written as the daemon (policies do not apply).
                let probe = try await connection.realtimeQuery("""
                    insert into realtime.messages (topic, extension, private) values (\(subTopic), 'broadcast', true) returning id
                    """, .authorize, logger: logger).collect().first?.decode(UUID.self)
                // 2. Become the subscriber.
                try await connection.realtimeQuery("""
                    select set_config('role', \(identity.role), true), set_config('request.jwt.claims', \(identity.claimsJSON), true),
                           set_config('realtime.topic', \(subTopic), true)
                    """, .authorize, logger: logger)
                // 3. Receive: can the subscriber see the probe?
                let visible = try await connection.realtimeQuery("select count(*) from realtime.messages m where m.id = \(probe)", .authorize, logger: logger)
                    .collect().first?.decode(Int.self) ?? 0
                // 4. Send: may the subscriber write a message? (The insert is rolled back with the rest.)
                var write = false
                do {
                    try await connection.realtimeQuery("""
                        insert into realtime.messages (topic, extension, private) values (\(subTopic), 'broadcast', true)
                        """, .authorize, logger: logger)
                    write = true
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
                    write = false
                }
                try await connection.realtimeQuery("rollback", .authorize, logger: logger)
                return Permissions(read: visible > 0, write: write)
            } catch {
                _ = try? await connection.query("rollback", logger: logger)
                throw error
            }
        }
    }
}
