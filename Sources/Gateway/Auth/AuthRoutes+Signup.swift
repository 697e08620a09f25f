import BanquetCore
import Foundation
import Hummingbird
import PostgresNIO

/// `POST /auth/v1/signup` (GoTrue internal/api/signup.go, email provider only).
extension AuthRoutes {
    struct SignupBody: Decodable {
        var email: String?
        var phone: String?
        var password: String?
        var data: [String: JSONValue]?
    }

    /// What the signup transaction decided; the answer is built after commit.
    private enum SignupOutcome: Sendable {
        case signedIn(SessionJSON, AuthUser)
        case awaitingConfirmation(AuthUser)
        case alreadyRegistered(AuthUser)
    }

    func signup(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        try limit(signupLimiter, request, context)
        let body = try await decodeBody(request, as: SignupBody.self)
        if let phone = body.phone, !phone.isEmpty {
            throw GoTrueError(status: .badRequest, code: "phone_provider_disabled", message: "Phone signups are disabled")
        }
        guard let password = body.password, !password.isEmpty else { throw GoTrueError.validation("Signup requires a valid password") }
        let email = try validEmail(body.email)
        try checkPasswordStrength(password)
        let metadata = body.data ?? [:]
        // Hashing takes tens of milliseconds: done before the transaction, never inside it.
        let hash = try await hasher.hash(password)
        let redirect = configuration.allowedRedirect(request.uri.queryParameters["redirect_to"].map(String.init))

        let outcome: SignupOutcome = try await transaction(context) { connection in
            if let user = try await users.insert(email: email, passwordHash: hash, userMetadata: metadata, confirmed: configuration.autoconfirm, on: connection) {
                if configuration.autoconfirm {
                    let signedIn = try await users.markSignedIn(user.id, on: connection) ?? user
                    return .signedIn(try await startSession(for: signedIn, method: "password", request: request, context: context, on: connection), signedIn)
                }
                return .awaitingConfirmation(try await sendLink(.confirmation, to: user, redirect: redirect, on: connection))
            }
            guard let existing = try await users.find(email: email, on: connection) else {
                throw GoTrueError.validation("Unable to register this email address, please try again")  // deleted meanwhile
            }
            // GoTrue never changes an existing account from signup (it cannot know the caller
            // owns the address): an unconfirmed one only gets its confirmation email again.
            if !existing.isConfirmed && !configuration.autoconfirm {
                return .awaitingConfirmation(try await sendLink(.confirmation, to: existing, redirect: redirect, on: connection))
            }
            return .alreadyRegistered(existing)
        }

        switch outcome {
        case .signedIn(let session, let user):
            audit("signup", user: user.id, session: session.sessionID, context)
            return try json(session)
        case .awaitingConfirmation(let user):
            audit("signup confirmation sent", user: user.id, context)
            return try json(UserJSON(user))
        case .alreadyRegistered(let user):
            audit("repeated signup", user: user.id, context)
            // With autoconfirm GoTrue says so; without, it answers a decoy so the response does
            // not reveal whether the address has an account.
            guard !configuration.autoconfirm else {
                throw GoTrueError(status: .unprocessableContent, code: "user_already_exists", message: "User already registered")
            }
            return try json(UserJSON(AuthUser.decoy(email: email, userMetadata: metadata)))
        }
    }

    /// Issues an email-link token of `kind` for `user` and enqueues the email carrying it, on the
    /// caller's transaction. Returns the user with its `*_sent_at` updated.
    func sendLink(_ kind: OneTimeTokenKind, to user: AuthUser, redirect: String, on connection: PostgresConnection) async throws -> AuthUser {
        guard let email = user.email else { return user }
        let token = try await oneTimeTokens.issue(userID: user.id, kind: kind, relatesTo: email, ttl: configuration.oneTimeTokenTTL, on: connection)
        try await users.markEmailSent(user.id, kind: kind, on: connection)
        let link = configuration.publicURL + "/auth/v1/verify?" + FormEncoding.encode([
            ("token", token.value), ("type", kind == .confirmation ? "signup" : "recovery"), ("redirect_to", redirect),
        ])
        try await mailer.enqueue(to: email, AuthMailer.message(for: kind, link: link, validFor: configuration.oneTimeTokenTTL), on: connection)
        return try await users.find(id: user.id, on: connection) ?? user
    }
}
