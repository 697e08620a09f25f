import BanquetCore
import Foundation

/// A row of `auth.users`, as the auth routes need it.
struct AuthUser: Sendable {
    var id: UUID
    var email: String?
    /// The bcrypt hash; never leaves the gateway (not in JSON, not in logs).
    var passwordHash: String?
    var emailConfirmedAt: Date?
    var confirmationSentAt: Date?
    var recoverySentAt: Date?
    var lastSignInAt: Date?
    var appMetadata: [String: JSONValue]
    var userMetadata: [String: JSONValue]
    var createdAt: Date
    var updatedAt: Date
    var bannedUntil: Date?

    var isConfirmed: Bool { emailConfirmedAt != nil }
    var isBanned: Bool { bannedUntil.map { $0 > Date() } ?? false }

    /// What a fresh email signup carries in `raw_app_meta_data`, as GoTrue sets it.
    static let emailAppMetadata: [String: JSONValue] = ["provider": .string("email"), "providers": .array([.string("email")])]

    /// GoTrue's answer to a repeated signup when it must not reveal that the address is taken
    /// (autoconfirm off): a plausible, unsaved user with a random id (signup.go `sanitizeUser`).
    static func decoy(email: String, userMetadata: [String: JSONValue]) -> AuthUser {
        let now = Date()
        return AuthUser(id: UUID(), email: email, passwordHash: nil, emailConfirmedAt: nil, confirmationSentAt: now, recoverySentAt: nil,
                        lastSignInAt: nil, appMetadata: emailAppMetadata, userMetadata: userMetadata, createdAt: now, updatedAt: now, bannedUntil: nil)
    }
}

/// The user object GoTrue returns (models/user.go), with the fields supabase clients read.
struct UserJSON: Encodable {
    var id: String
    var aud = "authenticated"
    var role = "authenticated"
    var email: String
    var email_confirmed_at: String?
    var phone = ""
    var confirmation_sent_at: String?
    var confirmed_at: String?
    var recovery_sent_at: String?
    var last_sign_in_at: String?
    var app_metadata: [String: JSONValue]
    var user_metadata: [String: JSONValue]
    var created_at: String
    var updated_at: String
    var is_anonymous = false

    init(_ user: AuthUser) {
        id = user.id.uuidString.lowercased()
        email = user.email ?? ""
        email_confirmed_at = user.emailConfirmedAt.map(Self.timestamp)
        confirmation_sent_at = user.confirmationSentAt.map(Self.timestamp)
        confirmed_at = email_confirmed_at
        recovery_sent_at = user.recoverySentAt.map(Self.timestamp)
        last_sign_in_at = user.lastSignInAt.map(Self.timestamp)
        app_metadata = user.appMetadata
        user_metadata = user.userMetadata
        created_at = Self.timestamp(user.createdAt)
        updated_at = Self.timestamp(user.updatedAt)
    }

    /// RFC 3339 with fractional seconds, as Go's encoding/json writes a `time.Time`.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}

/// The session GoTrue answers sign-in, refresh and verification with (tokens.AccessTokenResponse).
struct SessionJSON: Encodable {
    var access_token: String
    var token_type = "bearer"
    var expires_in: Int
    var expires_at: Int
    var refresh_token: String
    var user: UserJSON
    /// For the log line; not part of the answer.
    var sessionID: UUID
    var userID: UUID

    enum CodingKeys: String, CodingKey {
        case access_token, token_type, expires_in, expires_at, refresh_token, user
    }
}
