import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO

/// `POST /auth/v1/recover`, `GET /auth/v1/verify` (the email link) and `POST /auth/v1/verify`
/// (`verify_otp`) — GoTrue internal/api/recover.go and verify.go, for email links.
extension AuthRoutes {
    struct RecoverBody: Decodable {
        var email: String?
    }

    func recover(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        try limit(recoverLimiter, request, context)
        let email = try validEmail(try await decodeBody(request, as: RecoverBody.self).email)
        let redirect = configuration.allowedRedirect(request.uri.queryParameters["redirect_to"].map(String.init))
        let sentTo: UUID? = try await transaction(context) { connection in
            guard let user = try await users.find(email: email, on: connection) else { return nil }
            return try await sendLink(.recovery, to: user, redirect: redirect, on: connection).id
        }
        if let sentTo {
            audit("recovery sent", user: sentTo, context)
        } else {
            context.logger.info("auth: recovery requested for an address without an account", metadata: ["event": "recovery ignored"])
        }
        // The same answer either way: nobody learns from it whether the address has an account.
        return try json([String: String]())
    }

    /// The email link: verifies, then sends the browser to `redirect_to` (or the site URL) with
    /// the session in the URL fragment, or GoTrue's error fragment when the link is spent.
    func verifyLink(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let type = query["type"].map(String.init) ?? ""
        let token = query["token"].map(String.init) ?? ""
        guard !type.isEmpty else { throw GoTrueError.validation("Verify requires a verification type") }
        guard !token.isEmpty else { throw GoTrueError.validation("Verify requires a token or a token hash") }
        let redirect = configuration.allowedRedirect(query["redirect_to"].map(String.init))
        let fragment: [(String, String)]
        do {
            let session = try await verify(type: type, token: token, email: nil, request: request, context: context, expired: "Email link is invalid or has expired")
            // Go's url.Values.Encode order (sorted keys), with GoTrue's `sb` marker.
            fragment = [("access_token", session.access_token), ("expires_at", String(session.expires_at)), ("expires_in", String(session.expires_in)),
                        ("refresh_token", session.refresh_token), ("sb", ""), ("token_type", session.token_type), ("type", type)]
        } catch let error as GoTrueError where error.status.code < 500 {
            fragment = [("error", Self.oauthError[error.status.code] ?? "invalid_request"), ("error_code", error.code),
                        ("error_description", error.message), ("sb", "")]
        }
        let base = redirect.split(separator: "#", maxSplits: 1).first.map(String.init) ?? redirect
        return Response(status: .seeOther, headers: [.location: base + "#" + FormEncoding.encode(fragment)])
    }

    /// GoTrue's `oauthErrorMap`: the `error` an error redirect names for a status.
    static let oauthError: [Int: String] = [400: "invalid_request", 401: "unauthorized_client", 403: "access_denied", 500: "server_error", 503: "temporarily_unavailable"]

    struct VerifyBody: Decodable {
        var type: String?
        var token: String?
        var token_hash: String?
        var email: String?
    }

    /// `verify_otp`: the link's token as `token_hash`, or as `token` with the address it went to;
    /// answers the session.
    func verifyOTP(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let body = try await decodeBody(request, as: VerifyBody.self)
        guard let type = body.type, !type.isEmpty else { throw GoTrueError.validation("Verify requires a verification type") }
        let session: SessionJSON
        if let hash = body.token_hash, !hash.isEmpty {
            session = try await verify(type: type, token: hash, email: nil, request: request, context: context, expired: "Token has expired or is invalid")
        } else if let token = body.token, !token.isEmpty {
            guard body.email?.isEmpty == false else { throw GoTrueError.validation("Verify requires an email address with a token") }
            session = try await verify(type: type, token: token, email: try validEmail(body.email), request: request, context: context,
                                       expired: "Token has expired or is invalid")
        } else {
            throw GoTrueError.validation("Verify requires either a token or a token hash")
        }
        return try json(session)
    }

    /// Spends the token and signs its user in: a signup link confirms the address, a recovery
    /// link (which also proves the address) confirms it too and opens a session for setting a
    /// new password. Everything in one transaction.
    func verify(type: String, token: String, email: String?, request: Request, context: GatewayRequestContext, expired: String) async throws -> SessionJSON {
        guard let kinds = OneTimeTokenKind.accepted(byVerifyType: type) else { throw GoTrueError.validation("Unsupported verification type") }
        let session = try await transaction(context) { connection in
            guard let spent = try await oneTimeTokens.consume(presented: token, kinds: kinds, email: email, on: connection),
                  let user = try await users.confirmEmail(spent.userID, on: connection)
            else { throw GoTrueError(status: .forbidden, code: "otp_expired", message: expired) }
            if user.isBanned { throw GoTrueError(status: .forbidden, code: "user_banned", message: "User is banned") }
            return try await startSession(for: user, method: "otp", request: request, context: context, on: connection)
        }
        audit(type == "signup" ? "signup confirmed" : "\(type) verified", user: session.userID, session: session.sessionID, context)
        return session
    }
}
