import Foundation
import Logging
import PostgresNIO

/// What an email link proves: the address of a new signup, or the right to a recovery session.
enum OneTimeTokenKind: String, Sendable {
    case confirmation = "confirmation_token"
    case recovery = "recovery_token"

    /// The kinds a `/verify` `type` accepts, as GoTrue maps them: `signup` confirms; `recovery`
    /// and `magiclink` sign in through a recovery token; `email` accepts either.
    static func accepted(byVerifyType type: String) -> [OneTimeTokenKind]? {
        switch type {
        case "signup": return [.confirmation]
        case "recovery", "magiclink": return [.recovery]
        case "email": return [.confirmation, .recovery]
        default: return nil
        }
    }
}

/// `auth.one_time_tokens`: single-use, expiring email-link tokens, stored hashed. One live token
/// per user and kind: a new email replaces the link of the previous one.
struct OneTimeTokenStore: Sendable {
    let logger: Logger

    func issue(userID: UUID, kind: OneTimeTokenKind, relatesTo email: String, ttl: Int, on connection: PostgresConnection) async throws -> OpaqueToken {
        let token = OpaqueToken.generate()
        try await connection.query("""
            insert into auth.one_time_tokens (user_id, token_type, token_hash, relates_to, expires_at)
            values (\(userID), \(kind.rawValue), \(token.hash), \(email), now() + make_interval(secs => \(ttl)))
            on conflict (user_id, token_type) do update
              set token_hash = excluded.token_hash, relates_to = excluded.relates_to,
                  expires_at = excluded.expires_at, created_at = now(), updated_at = now()
            """, logger: logger)
        return token
    }

    /// Consumes a presented token: deleted whatever happens next, so it works once. Returns the
    /// user and kind when it was live, nil when unknown, of another kind, for another address or
    /// expired.
    func consume(presented: String, kinds: [OneTimeTokenKind], email: String?, on connection: PostgresConnection) async throws -> (userID: UUID, kind: OneTimeTokenKind)? {
        let rows = try await connection.query("""
            delete from auth.one_time_tokens
            where token_hash = \(OpaqueToken.hash(presented)) and token_type = any(\(kinds.map(\.rawValue)))
              and (\(email)::text is null or relates_to = \(email))
            returning user_id, token_type, expires_at > now()
            """, logger: logger)
        for try await row in rows {
            let (userID, type, live) = try row.decode((UUID, String, Bool).self)
            guard live, let kind = OneTimeTokenKind(rawValue: type) else { return nil }
            return (userID, kind)
        }
        return nil
    }

    func revoke(userID: UUID, kind: OneTimeTokenKind, on connection: PostgresConnection) async throws {
        try await connection.query("delete from auth.one_time_tokens where user_id = \(userID) and token_type = \(kind.rawValue)", logger: logger)
    }
}
