import BanquetCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Who may use `/console`: whoever presents `BANQUET_CONSOLE_TOKEN` or the service-role key (a
/// JWT with `role: service_role`, verified by the project's `TokenIssuer`). A tenant's access
/// token and the anon key are refused like any other wrong credential.
///
/// A browser logs in once and then carries a session cookie that holds no credential: the
/// cookie is `<expiry>.<HMAC-SHA256(session key, expiry)>`, where the session key is derived
/// from the JWT secret and the console token. It cannot be turned back into a token, every
/// replica verifies it without shared state, and rotating either secret ends every session.
struct ConsoleAccess: Sendable {
    static let cookieName = "banquet_console"
    static let sessionLifetime: TimeInterval = 12 * 3600
    static let minimumTokenLength = 16

    let issuer: TokenIssuer
    let consoleTokenDigest: SHA256.Digest?
    let sessionKey: SymmetricKey
    /// `Secure` on the cookie when the public URL is HTTPS.
    let secureCookie: Bool
    /// Origins a cookie-authenticated POST may come from besides the request's own host.
    let publicOrigin: String?

    init(issuer: TokenIssuer, environment: BanquetCore.Environment) throws {
        let consoleToken = environment.optionalString("BANQUET_CONSOLE_TOKEN")
        if let consoleToken, consoleToken.utf8.count < Self.minimumTokenLength {
            throw BanquetError.configuration("BANQUET_CONSOLE_TOKEN must be at least \(Self.minimumTokenLength) characters")
        }
        self.issuer = issuer
        self.consoleTokenDigest = consoleToken.map { SHA256.hash(data: Data($0.utf8)) }
        let secret = try JWTSecret.load(environment)
        self.sessionKey = SymmetricKey(data: SHA256.hash(data: Data("banquet-console-session\u{0}\(secret)\u{0}\(consoleToken ?? "")".utf8)))
        let publicURL = environment.optionalString("BANQUET_PUBLIC_URL").flatMap(URL.init(string:))
        self.secureCookie = publicURL?.scheme == "https"
        self.publicOrigin = publicURL.flatMap(Self.origin(of:))
    }

    /// Whether `presented` is an operator credential. The console token is compared by its
    /// SHA-256 digest in constant time, so neither its content nor its length leaks through timing.
    func accepts(_ presented: String) async -> Bool {
        if let consoleTokenDigest {
            let presentedDigest = SHA256.hash(data: Data(presented.utf8))
            if ConstantTime.equal(Array(presentedDigest), Array(consoleTokenDigest)) { return true }
        }
        guard let verified = try? await issuer.verify(presented) else { return false }
        return verified.claims.role == "service_role"
    }

    // MARK: Sessions

    func newSessionCookie(now: Date = Date()) -> String {
        let expiry = Int(now.timeIntervalSince1970 + Self.sessionLifetime)
        let value = "\(expiry).\(signature(expiry))"
        return "\(Self.cookieName)=\(value); Path=/console; Max-Age=\(Int(Self.sessionLifetime)); HttpOnly; SameSite=Strict"
            + (secureCookie ? "; Secure" : "")
    }

    var clearedSessionCookie: String {
        "\(Self.cookieName)=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }

    func isValidSession(_ value: String, now: Date = Date()) -> Bool {
        let parts = value.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let expiry = Int(parts[0]), expiry > Int(now.timeIntervalSince1970),
              let mac = Base64URL.decode(String(parts[1])) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("console-session|\(expiry)".utf8), using: sessionKey)
    }

    private func signature(_ expiry: Int) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data("console-session|\(expiry)".utf8), using: sessionKey)))
    }

    // MARK: Requests

    enum Credential {
        /// `Authorization: Bearer` with an accepted token: scripts and the JSON API.
        case bearer
        /// The session cookie: a browser, which must also pass the same-origin check on POST.
        case session
    }

    /// The request's credential, or nil. A bearer token decides alone: a wrong one is not
    /// rescued by a cookie.
    func credential(of request: Request) async -> Credential? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return await accepts(String(parts[1]).trimmingCharacters(in: .whitespaces)) ? .bearer : nil
        }
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix(Self.cookieName + "=") else { continue }
                if isValidSession(String(trimmed.dropFirst(Self.cookieName.count + 1))) { return .session }
            }
        }
        return nil
    }

    /// CSRF defence for cookie-authenticated POSTs, on top of `SameSite=Strict`: the browser's
    /// `Origin` (or, failing that, `Referer`) must be this console's own origin.
    func isSameOrigin(_ request: Request) -> Bool {
        let claimed = request.headers[.origin].flatMap { $0 == "null" ? nil : $0 }
            ?? request.headers[.referer].flatMap { URL(string: $0) }.flatMap(Self.origin(of:))
        guard let claimed, let url = URL(string: claimed), let host = request.head.authority else { return false }
        if let publicOrigin, claimed == publicOrigin { return true }
        guard let claimedOrigin = Self.origin(of: url) else { return false }
        return claimedOrigin == "http://\(host)" || claimedOrigin == "https://\(host)"
    }

    /// `scheme://host[:port]`, as browsers serialize an origin.
    static func origin(of url: URL) -> String? {
        guard let scheme = url.scheme, let host = url.host else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }
}
