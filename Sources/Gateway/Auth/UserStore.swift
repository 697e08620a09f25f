import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// `auth.users` reads and writes for the auth routes. Every method runs on a connection the
/// caller holds in a transaction, so a signup, its session and its email commit together.
/// Emails are stored lower-cased (GoTrue does the same), so lookups compare exactly and the
/// unique index holds.
struct UserStore: Sendable {
    let logger: Logger

    private static let columns: String = """
        id, email, encrypted_password, email_confirmed_at, confirmation_sent_at, recovery_sent_at, last_sign_in_at,
        coalesce(raw_app_meta_data, '{}'::jsonb)::text, coalesce(raw_user_meta_data, '{}'::jsonb)::text,
        coalesce(created_at, now()), coalesce(updated_at, now()), banned_until
        """

    func find(email: String, on connection: PostgresConnection) async throws -> AuthUser? {
        try await one(connection.query("select \(unescaped: Self.columns) from auth.users where lower(email) = \(email) and deleted_at is null", logger: logger))
    }

    func find(id: UUID, on connection: PostgresConnection) async throws -> AuthUser? {
        try await one(connection.query("select \(unescaped: Self.columns) from auth.users where id = \(id) and deleted_at is null", logger: logger))
    }

    /// The new user, or nil when the email is taken (the unique index decides, so two
    /// concurrent signups for one address cannot both succeed).
    func insert(email: String, passwordHash: String, userMetadata: [String: JSONValue], confirmed: Bool, on connection: PostgresConnection) async throws -> AuthUser? {
        let app = try JSONText.encode(AuthUser.emailAppMetadata)
        let data = try JSONText.encode(userMetadata)
        return try await one(connection.query("""
            insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                                    raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
            values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', \(email), \(passwordHash),
                    case when \(confirmed) then now() end, \(app)::jsonb, \(data)::jsonb, now(), now())
            on conflict (email) do nothing
            returning \(unescaped: Self.columns)
            """, logger: logger))
    }

    func markSignedIn(_ id: UUID, on connection: PostgresConnection) async throws -> AuthUser? {
        try await update(id, set: "last_sign_in_at = now()", on: connection)
    }

    func confirmEmail(_ id: UUID, on connection: PostgresConnection) async throws -> AuthUser? {
        try await update(id, set: "email_confirmed_at = coalesce(email_confirmed_at, now()), last_sign_in_at = now()", on: connection)
    }

    func setPassword(_ id: UUID, hash: String, on connection: PostgresConnection) async throws -> AuthUser? {
        try await one(connection.query("""
            update auth.users set encrypted_password = \(hash), updated_at = now() where id = \(id)
            returning \(unescaped: Self.columns)
            """, logger: logger))
    }

    /// Nil when another user already has the address.
    func setEmail(_ id: UUID, email: String, on connection: PostgresConnection) async throws -> AuthUser? {
        try await one(connection.query("""
            update auth.users set email = \(email), email_confirmed_at = now(), updated_at = now()
            where id = \(id) and not exists (select 1 from auth.users other where other.email = \(email) and other.id <> \(id))
            returning \(unescaped: Self.columns)
            """, logger: logger))
    }

    /// Merges `data` into `raw_user_meta_data` key by key; a key set to null is removed, as
    /// GoTrue's `UpdateUserMetaData` does.
    func mergeUserMetadata(_ id: UUID, data: [String: JSONValue], on connection: PostgresConnection) async throws -> AuthUser? {
        let patch = try JSONText.encode(data)
        return try await one(connection.query("""
            update auth.users
            set raw_user_meta_data = (
                  select coalesce(jsonb_object_agg(entry.key, entry.value), '{}'::jsonb)
                  from jsonb_each(coalesce(raw_user_meta_data, '{}'::jsonb) || \(patch)::jsonb) as entry
                  where entry.value <> 'null'::jsonb),
                updated_at = now()
            where id = \(id)
            returning \(unescaped: Self.columns)
            """, logger: logger))
    }

    func markEmailSent(_ id: UUID, kind: OneTimeTokenKind, on connection: PostgresConnection) async throws {
        let column = kind == .confirmation ? "confirmation_sent_at" : "recovery_sent_at"
        try await connection.query("update auth.users set \(unescaped: column) = now() where id = \(id)", logger: logger)
    }

    private func update(_ id: UUID, set assignments: String, on connection: PostgresConnection) async throws -> AuthUser? {
        try await one(connection.query("update auth.users set \(unescaped: assignments), updated_at = now() where id = \(id) returning \(unescaped: Self.columns)", logger: logger))
    }

    private func one(_ rows: PostgresRowSequence) async throws -> AuthUser? {
        for try await row in rows {
            let (id, email, hash, confirmedAt, confirmationSentAt, recoverySentAt, lastSignInAt, app, data, createdAt, updatedAt, bannedUntil) =
                try row.decode((UUID, String?, String?, Date?, Date?, Date?, Date?, String, String, Date, Date, Date?).self)
            return AuthUser(id: id, email: email, passwordHash: hash, emailConfirmedAt: confirmedAt, confirmationSentAt: confirmationSentAt,
                            recoverySentAt: recoverySentAt, lastSignInAt: lastSignInAt, appMetadata: try JSONText.decodeObject(app),
                            userMetadata: try JSONText.decodeObject(data), createdAt: createdAt, updatedAt: updatedAt, bannedUntil: bannedUntil)
        }
        return nil
    }
}

/// jsonb travels as text between Swift and SQL here: one encoder, one decoder.
enum JSONText {
    static func encode(_ object: [String: JSONValue]) throws -> String {
        String(decoding: try JSONEncoder().encode(object), as: UTF8.self)
    }

    static func decodeObject(_ text: String) throws -> [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))) ?? [:]
    }
}
