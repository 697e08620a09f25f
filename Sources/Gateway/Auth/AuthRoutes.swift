import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `/auth/v1`: the GoTrue-compatible subset (signup, token, user, logout, recover, verify).
///
/// Each handler follows GoTrue's (github.com/supabase/auth, internal/api) request checks, status
/// codes, error codes and messages, so supabase clients work unchanged. Auth work runs in plain
/// transactions on the gateway's own connection, never as the request's role: the tables are
/// closed to anon and authenticated. Handlers live in `AuthRoutes+<endpoint>.swift`.
struct AuthRoutes: Sendable {
    let api: ClientAPI
    let configuration: AuthConfiguration
    let hasher: any PasswordHasher
    let users: UserStore
    let sessions: SessionStore
    let oneTimeTokens: OneTimeTokenStore
    let mailer: AuthMailer
    let passwordGrantLimiter: IPRateLimiter
    let signupLimiter: IPRateLimiter
    let recoverLimiter: IPRateLimiter

    /// The largest body an auth request may carry: a password, an email and some metadata.
    static let maxBodyBytes = 64 * 1024

    init(api: ClientAPI) throws {
        try self.init(api: api, configuration: .fromEnvironment(api.environment), hasher: BcryptPasswordHasher())
    }

    init(api: ClientAPI, configuration: AuthConfiguration, hasher: any PasswordHasher) {
        self.api = api
        self.configuration = configuration
        self.hasher = hasher
        users = UserStore(logger: api.logger)
        sessions = SessionStore(logger: api.logger)
        oneTimeTokens = OneTimeTokenStore(logger: api.logger)
        mailer = AuthMailer(logger: api.logger)
        passwordGrantLimiter = IPRateLimiter(limit: configuration.passwordGrantLimit, window: configuration.passwordGrantWindow)
        signupLimiter = IPRateLimiter(limit: configuration.signupLimit, window: configuration.emailWindow)
        recoverLimiter = IPRateLimiter(limit: configuration.recoverLimit, window: configuration.emailWindow)
    }

    func register(on router: Router<GatewayRequestContext>) {
        let group = router.group("auth/v1").add(middleware: AuthGateMiddleware(gate: api.gate))
        group.post("signup") { request, context in try await self.signup(request, context) }
        group.post("token") { request, context in try await self.token(request, context) }
        group.get("user") { request, context in try await self.getUser(request, context) }
        group.put("user") { request, context in try await self.updateUser(request, context) }
        group.post("logout") { request, context in try await self.logout(request, context) }
        group.post("recover") { request, context in try await self.recover(request, context) }
        // Supabase's API gateway serves `/auth/v1/verify` without an apikey (Kong's
        // `auth-v1-open` route): the link in an email is opened by a browser that has none.
        // The token in the link is the credential.
        let open = router.group("auth/v1").add(middleware: AuthGateMiddleware(gate: nil))
        open.get("verify") { request, context in try await self.verifyLink(request, context) }
        open.post("verify") { request, context in try await self.verifyOTP(request, context) }
    }

    // MARK: Shared steps

    /// The JSON body as `T`; GoTrue answers an unparsable body with 400 `bad_json`.
    func decodeBody<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw GoTrueError(status: .contentTooLarge, code: "request_too_large", message: "Request body is larger than \(Self.maxBodyBytes) bytes")
        }
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw GoTrueError.badJSON()
        }
    }

    /// One transaction on the gateway's own connection. A failure of `work` itself is rethrown as
    /// it is (PostgresNIO wraps it in `PostgresTransactionError`), so a GoTrue error raised inside
    /// reaches the client as that error.
    func transaction<T: Sendable>(_ context: GatewayRequestContext, _ work: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await api.client.withTransaction(logger: context.logger) { connection in try await work(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// Counts the request against a per-IP limiter; 429 `over_request_rate_limit` past it.
    func limit(_ limiter: IPRateLimiter, _ request: Request, _ context: GatewayRequestContext) throws {
        let ip = context.clientIP(request, trustProxy: configuration.trustProxy)
        if let retryAfter = limiter.hit(ip) {
            context.logger.warning("auth: rate limit reached", metadata: ["limit": "\(limiter.limit) per \(Int(limiter.window)) s"])
            throw GoTrueError.rateLimited(retryAfter: retryAfter)
        }
    }

    /// A new session for `user`: its row and first refresh token on `connection`, then the
    /// signed access token. The caller commits.
    func startSession(for user: AuthUser, method: String, request: Request, context: GatewayRequestContext,
                      on connection: PostgresConnection) async throws -> SessionJSON {
        let ip = context.clientIP(request, trustProxy: configuration.trustProxy)
        let (session, refreshToken) = try await sessions.create(
            userID: user.id, method: method, userAgent: request.headers[.userAgent].map { String($0.prefix(512)) },
            ip: (try? SocketAddress(ipAddress: ip, port: 0)) == nil ? nil : ip, on: connection)
        return try await sessionJSON(user: user, session: session, refreshToken: refreshToken)
    }

    /// The access token GoTrue would issue for this session (its claims, tokens/service.go) and
    /// the session answer around it.
    func sessionJSON(user: AuthUser, session: SessionStore.Session, refreshToken: OpaqueToken) async throws -> SessionJSON {
        let ttl = configuration.accessTokenTTL
        var claims = AccessTokenClaims(
            sub: user.id.uuidString.lowercased(), role: "authenticated", aud: "authenticated", ttl: TimeInterval(ttl),
            iss: configuration.publicURL + "/auth/v1", email: user.email ?? "", sessionID: session.id.uuidString.lowercased(),
            isAnonymous: false, appMetadata: user.appMetadata, userMetadata: user.userMetadata)
        claims.phone = ""
        claims.amr = [.object(["method": .string(session.authenticationMethod),
                               "timestamp": .number(session.createdAt.timeIntervalSince1970.rounded(.down))])]
        let accessToken = try await api.issuer.sign(claims)
        return SessionJSON(access_token: accessToken, expires_in: ttl, expires_at: claims.exp, refresh_token: refreshToken.value, user: UserJSON(user),
                           sessionID: session.id, userID: user.id)
    }

    /// 200 with a JSON body.
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A log line per auth event, with the user id and never a password, token, hash or email.
    func audit(_ event: String, user: UUID, session: UUID? = nil, _ context: GatewayRequestContext) {
        var metadata: Logger.Metadata = ["event": "\(event)", "user_id": "\(user.uuidString.lowercased())"]
        if let session { metadata["session_id"] = "\(session.uuidString.lowercased())" }
        context.logger.info("auth: \(event)", metadata: metadata)
    }
}

/// GoTrue's input checks for emails and passwords (api/mail.go `validateEmail`,
/// api/password.go `checkPasswordStrength`).
extension AuthRoutes {
    func validEmail(_ raw: String?) throws -> String {
        let email = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !email.isEmpty else { throw GoTrueError.validation("An email address is required") }
        guard email.utf8.count <= 255 else { throw GoTrueError.validation("An email address is too long") }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } ?? false || "<>()[],;:\\\"".contains($0) })
        else { throw GoTrueError.validation("Unable to validate email address: invalid format") }
        return email
    }

    func checkPasswordStrength(_ password: String) throws {
        if password.count < configuration.minimumPasswordLength {
            throw GoTrueError(status: .unprocessableContent, code: "weak_password",
                              message: "Password should be at least \(configuration.minimumPasswordLength) characters.", weakPasswordReasons: ["length"])
        }
        // bcrypt reads the first 72 bytes only, and C strings end at NUL: refuse rather than
        // silently accept a different password than the one typed.
        if password.utf8.count > 72 { throw GoTrueError.validation("Password cannot be longer than 72 characters", status: .unprocessableContent) }
        if password.contains("\0") { throw GoTrueError.validation("Password cannot contain a NUL character", status: .unprocessableContent) }
    }
}
