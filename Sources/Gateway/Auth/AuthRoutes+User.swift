import BanquetCore
import Foundation
import Hummingbird
import PostgresNIO

/// `GET /auth/v1/user`, `PUT /auth/v1/user`, `POST /auth/v1/logout` (GoTrue internal/api/user.go,
/// logout.go), and the bearer-token check they share (internal/api/auth.go).
extension AuthRoutes {
    /// A verified access token's user and session id.
    struct Bearer: Sendable {
        var userID: UUID
        /// Nil for tokens without `session_id` (operator tokens from `banquet token --sub`).
        var sessionID: UUID?
    }

    /// GoTrue's `requireAuthentication`: a bearer token signed by this project, naming an
    /// existing user and, when it names one, a live session — a signed-out or reuse-ended
    /// session fails here even though its access tokens have not expired.
    func authenticate(_ request: Request) async throws -> Bearer {
        guard let token = APIGate.bearerToken(request.headers[.authorization]) else {
            throw GoTrueError(status: .unauthorized, code: "no_authorization", message: "This endpoint requires a valid Bearer token")
        }
        let claims: AccessTokenClaims
        do throws(TokenError) {
            claims = try await api.issuer.verify(token).claims
        } catch {
            throw GoTrueError.badJWT("invalid JWT: unable to parse or verify signature, \(error.message)")
        }
        guard let sub = claims.sub else { throw GoTrueError.badJWT("invalid claim: missing sub claim") }
        guard let userID = UUID(uuidString: sub) else {
            throw GoTrueError(status: .badRequest, code: "bad_jwt", message: "invalid claim: sub claim must be a UUID")
        }
        guard let sessionClaim = claims.session_id else { return Bearer(userID: userID, sessionID: nil) }
        guard let sessionID = UUID(uuidString: sessionClaim) else { throw GoTrueError.badJWT("invalid claim: session_id claim must be a UUID") }
        return Bearer(userID: userID, sessionID: sessionID)
    }

    /// The bearer's user, checked on `connection` (and the session, when the token names one).
    func user(of bearer: Bearer, on connection: PostgresConnection) async throws -> AuthUser {
        guard let user = try await users.find(id: bearer.userID, on: connection) else {
            throw GoTrueError(status: .forbidden, code: "user_not_found", message: "User from sub claim in JWT does not exist")
        }
        if let sessionID = bearer.sessionID, try await sessions.find(id: sessionID, userID: user.id, on: connection) == nil {
            throw GoTrueError(status: .forbidden, code: "session_not_found", message: "Session from session_id claim in JWT does not exist")
        }
        if user.isBanned { throw GoTrueError(status: .forbidden, code: "user_banned", message: "User is banned") }
        return user
    }

    func getUser(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let bearer = try await authenticate(request)
        let user = try await api.client.withConnection { connection in try await self.user(of: bearer, on: connection) }
        return try json(UserJSON(user))
    }

    struct UserUpdateBody: Decodable {
        var email: String?
        var phone: String?
        var password: String?
        var data: [String: JSONValue]?
    }

    func updateUser(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let bearer = try await authenticate(request)
        let body = try await decodeBody(request, as: UserUpdateBody.self)
        if let phone = body.phone, !phone.isEmpty {
            throw GoTrueError(status: .unprocessableContent, code: "phone_provider_disabled", message: "Phone logins are disabled")
        }
        let current = try await api.client.withConnection { connection in try await self.user(of: bearer, on: connection) }
        let newEmail = try body.email.map { try validEmail($0) }.flatMap { $0 == current.email ? nil : $0 }
        if newEmail != nil, !configuration.autoconfirm {
            // GoTrue then mails both addresses and changes on confirmation; this gateway has no
            // email-change flow, so it says so rather than pretend.
            throw GoTrueError(status: .unprocessableContent, code: "email_provider_disabled",
                              message: "Changing the email address needs BANQUET_AUTH_AUTOCONFIRM=true on this gateway")
        }
        var newHash: String?
        if let password = body.password {
            try checkPasswordStrength(password)
            // Both bcrypt steps before the transaction, never inside it.
            if try await hasher.verify(password, against: current.passwordHash) {
                throw GoTrueError(status: .unprocessableContent, code: "same_password", message: "New password should be different from the old password.")
            }
            newHash = try await hasher.hash(password)
        }

        let updated: AuthUser = try await transaction(context) { connection in
            var user = try await self.user(of: bearer, on: connection)  // still signed in, under the row we change
            if let data = body.data {
                user = try await users.mergeUserMetadata(user.id, data: data, on: connection) ?? user
            }
            if let newEmail {
                guard let changed = try await users.setEmail(user.id, email: newEmail, on: connection) else {
                    throw GoTrueError(status: .unprocessableContent, code: "email_exists", message: "A user with this email address has already been registered")
                }
                user = changed
            }
            if let newHash {
                user = try await users.setPassword(user.id, hash: newHash, on: connection) ?? user
                // As GoTrue's `UpdatePassword`: every other session ends; this one stays.
                try await sessions.end(userID: user.id, current: bearer.sessionID, scope: .others, on: connection)
                // An unused recovery link must not outlive the password it was meant to reset.
                try await oneTimeTokens.revoke(userID: user.id, kind: .recovery, on: connection)
            }
            return user
        }
        audit(newHash != nil ? "password changed" : "user updated", user: updated.id, session: bearer.sessionID, context)
        return try json(UserJSON(updated))
    }

    func logout(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let bearer = try await authenticate(request)
        let rawScope = request.uri.queryParameters["scope"].map(String.init) ?? "global"
        guard let scope = SessionStore.Scope(rawValue: rawScope) else {
            throw GoTrueError.validation("Unsupported logout scope \"\(rawScope)\"")
        }
        let ended = try await transaction(context) { connection in
            let user = try await self.user(of: bearer, on: connection)
            return try await sessions.end(userID: user.id, current: bearer.sessionID, scope: scope, on: connection)
        }
        context.logger.info("auth: logout", metadata: ["event": "logout", "user_id": "\(bearer.userID.uuidString.lowercased())",
                                                      "scope": "\(scope.rawValue)", "sessions_ended": "\(ended)"])
        return Response(status: .noContent)
    }
}
