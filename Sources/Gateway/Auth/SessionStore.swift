import Foundation
import Logging
import PostgresNIO

/// `auth.sessions` and their rotating refresh tokens (stored hashed). Every method runs on a
/// connection the caller holds in a transaction.
struct SessionStore: Sendable {
    let logger: Logger

    struct Session: Sendable {
        var id: UUID
        var userID: UUID
        var authenticationMethod: String
        var createdAt: Date
    }

    /// What presenting a refresh token led to.
    enum Rotation: Sendable {
        /// The token was live: it is now revoked and `refreshToken` replaces it.
        case rotated(Session, refreshToken: OpaqueToken)
        /// No such token (never issued, or its session has ended).
        case notFound
        /// The token had already been rotated or revoked: the whole session was ended.
        case reused(sessionID: UUID, userID: UUID)
    }

    /// A new sign-in: its session and its first refresh token.
    func create(userID: UUID, method: String, userAgent: String?, ip: String?, on connection: PostgresConnection) async throws -> (Session, OpaqueToken) {
        let sessionID = UUID()
        let token = OpaqueToken.generate()
        // 1. The session; 2. its first refresh token. One round trip: the token insert reads the
        //    session the CTE just wrote.
        let rows = try await connection.query("""
            with session as (
              insert into auth.sessions (id, user_id, authentication_method, user_agent, ip)
              values (\(sessionID), \(userID), \(method), \(userAgent), \(ip)::inet)
              returning id, user_id, created_at
            )
            insert into auth.refresh_tokens (token_hash, user_id, session_id)
            select \(token.hash), session.user_id, session.id from session
            returning (select created_at from session)
            """, logger: logger)
        var createdAt = Date()
        for try await row in rows { createdAt = try row.decode(Date.self) }
        return (Session(id: sessionID, userID: userID, authenticationMethod: method, createdAt: createdAt), token)
    }

    /// Rotates a presented refresh token. A token presented after it was rotated means two
    /// parties hold the chain (a stolen token, or a replay): GoTrue then ends the session, and so
    /// does this — every refresh token of the session and, through `session_not_found`, every
    /// access token it issued.
    func rotate(presented: String, on connection: PostgresConnection) async throws -> Rotation {
        let hash = OpaqueToken.hash(presented)
        // 1. Lock the presented token's row, so two concurrent refreshes with one token serialize.
        let rows = try await connection.query("""
            select rt.id, rt.revoked, s.id, s.user_id, s.authentication_method, s.created_at
            from auth.refresh_tokens rt join auth.sessions s on s.id = rt.session_id
            where rt.token_hash = \(hash)
            for update of rt
            """, logger: logger)
        var found: (tokenID: Int64, revoked: Bool, session: Session)?
        for try await row in rows {
            let (tokenID, revoked, sessionID, userID, method, createdAt) = try row.decode((Int64, Bool, UUID, UUID, String, Date).self)
            found = (tokenID, revoked, Session(id: sessionID, userID: userID, authenticationMethod: method, createdAt: createdAt))
        }
        guard let found else { return .notFound }
        let (tokenID, session) = (found.tokenID, found.session)
        if found.revoked {
            // 2a. Reuse: end the session; its tokens go with it (on delete cascade).
            try await connection.query("delete from auth.sessions where id = \(session.id)", logger: logger)
            return .reused(sessionID: session.id, userID: session.userID)
        }
        // 2b. Revoke the presented token, chain its successor, and note the refresh.
        let next = OpaqueToken.generate()
        try await connection.query("""
            with revoked as (
              update auth.refresh_tokens set revoked = true, updated_at = now() where id = \(tokenID) returning id
            ), touched as (
              update auth.sessions set refreshed_at = now(), updated_at = now() where id = \(session.id)
            )
            insert into auth.refresh_tokens (token_hash, user_id, session_id, parent)
            select \(next.hash), \(session.userID), \(session.id), revoked.id from revoked
            """, logger: logger)
        return .rotated(session, refreshToken: next)
    }

    func find(id: UUID, userID: UUID, on connection: PostgresConnection) async throws -> Session? {
        let rows = try await connection.query("""
            select id, user_id, authentication_method, created_at from auth.sessions where id = \(id) and user_id = \(userID)
            """, logger: logger)
        for try await row in rows {
            let (id, userID, method, createdAt) = try row.decode((UUID, UUID, String, Date).self)
            return Session(id: id, userID: userID, authenticationMethod: method, createdAt: createdAt)
        }
        return nil
    }

    /// Which sessions a sign-out ends, as GoTrue's `scope`.
    enum Scope: String, Sendable {
        case global, local, others
    }

    /// Ends sessions of `userID`; `current` is the session the request's token belongs to.
    /// Returns how many ended.
    @discardableResult
    func end(userID: UUID, current: UUID?, scope: Scope, on connection: PostgresConnection) async throws -> Int {
        let rows: PostgresRowSequence
        switch (scope, current) {
        case (.global, _), (.local, nil):
            rows = try await connection.query("with ended as (delete from auth.sessions where user_id = \(userID) returning 1) select count(*)::int from ended", logger: logger)
        case (.local, let current?):
            rows = try await connection.query("with ended as (delete from auth.sessions where id = \(current) returning 1) select count(*)::int from ended", logger: logger)
        case (.others, let current):
            rows = try await connection.query("""
                with ended as (delete from auth.sessions where user_id = \(userID) and id is distinct from \(current) returning 1)
                select count(*)::int from ended
                """, logger: logger)
        }
        var count = 0
        for try await row in rows { count = try row.decode(Int.self) }
        return count
    }
}
