import Foundation
import Hummingbird
import Logging

/// `POST /auth/v1/token?grant_type=password|refresh_token` (GoTrue internal/api/token.go,
/// internal/tokens/service.go).
extension AuthRoutes {
    struct PasswordGrantBody: Decodable {
        var email: String?
        var phone: String?
        var password: String?
    }

    struct RefreshGrantBody: Decodable {
        var refresh_token: String?
    }

    func token(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        switch request.uri.queryParameters["grant_type"].map(String.init) {
        case "password": return try await passwordGrant(request, context)
        case "refresh_token": return try await refreshGrant(request, context)
        default: throw GoTrueError(status: .badRequest, code: "invalid_credentials", message: "unsupported_grant_type")
        }
    }

    func passwordGrant(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        // Counted before anything else, so a guesser pays a request for every attempt.
        try limit(passwordGrantLimiter, request, context)
        let body = try await decodeBody(request, as: PasswordGrantBody.self)
        if let phone = body.phone, !phone.isEmpty {
            throw GoTrueError(status: .unprocessableContent, code: "phone_provider_disabled", message: "Phone logins are disabled")
        }
        guard let rawEmail = body.email, !rawEmail.isEmpty else { throw GoTrueError.validation("missing email or phone") }
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = body.password ?? ""

        let user = try await api.client.withConnection { connection in try await users.find(email: email, on: connection) }
        // An unknown email costs the same bcrypt check as a wrong password and gets the same
        // answer: the response tells a guesser nothing about which addresses have accounts.
        guard try await hasher.verify(password, against: user?.passwordHash), let user else {
            // The user id when the address has an account: repeated refusals for one account are
            // what an operator looks for.
            var metadata: Logger.Metadata = ["event": "login refused"]
            if let user { metadata["user_id"] = "\(user.id.uuidString.lowercased())" }
            context.logger.info("auth: login refused", metadata: metadata)
            throw GoTrueError.invalidCredentials
        }
        if user.isBanned { throw GoTrueError(status: .badRequest, code: "user_banned", message: "User is banned") }
        guard user.isConfirmed else { throw GoTrueError(status: .badRequest, code: "email_not_confirmed", message: "Email not confirmed") }

        let session = try await transaction(context) { connection in
            let signedIn = try await users.markSignedIn(user.id, on: connection) ?? user
            return try await startSession(for: signedIn, method: "password", request: request, context: context, on: connection)
        }
        audit("login", user: user.id, session: session.sessionID, context)
        return try json(session)
    }

    /// What a refresh decided inside its transaction; a detected reuse must commit (the session
    /// ends) before the error is answered.
    private enum RefreshOutcome: Sendable {
        case refreshed(SessionJSON)
        case notFound
        case reused(sessionID: UUID, userID: UUID)
    }

    func refreshGrant(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let body = try await decodeBody(request, as: RefreshGrantBody.self)
        guard let presented = body.refresh_token, !presented.isEmpty else { throw GoTrueError.validation("refresh_token required") }

        let outcome: RefreshOutcome = try await transaction(context) { connection in
            switch try await sessions.rotate(presented: presented, on: connection) {
            case .notFound:
                return .notFound
            case .reused(let sessionID, let userID):
                return .reused(sessionID: sessionID, userID: userID)
            case .rotated(let session, let refreshToken):
                guard let user = try await users.find(id: session.userID, on: connection) else { return .notFound }
                if user.isBanned { throw GoTrueError(status: .badRequest, code: "user_banned", message: "Invalid Refresh Token: User Banned") }
                return .refreshed(try await sessionJSON(user: user, session: session, refreshToken: refreshToken))
            }
        }
        switch outcome {
        case .refreshed(let session):
            audit("token refreshed", user: session.userID, session: session.sessionID, context)
            return try json(session)
        case .notFound:
            throw GoTrueError(status: .badRequest, code: "refresh_token_not_found", message: "Invalid Refresh Token: Refresh Token Not Found")
        case .reused(let sessionID, let userID):
            context.logger.warning("auth: refresh token reuse detected, session ended",
                                   metadata: ["event": "refresh token reuse", "user_id": "\(userID.uuidString.lowercased())",
                                              "session_id": "\(sessionID.uuidString.lowercased())"])
            throw GoTrueError(status: .badRequest, code: "refresh_token_already_used", message: "Invalid Refresh Token: Already Used")
        }
    }
}
