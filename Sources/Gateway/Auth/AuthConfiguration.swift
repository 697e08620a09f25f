import BanquetCore
import Foundation

/// `/auth/v1` settings, read once from the environment (`.env.example` lists every name).
struct AuthConfiguration: Sendable {
    /// Signups are confirmed at once (GoTrue's `MAILER_AUTOCONFIRM`); when false a confirmation
    /// email goes out and password sign-in answers `email_not_confirmed` until its link is used.
    var autoconfirm: Bool
    /// Access-token lifetime in seconds (GoTrue's `JWT_EXP`).
    var accessTokenTTL: Int
    /// Shortest password accepted (GoTrue's `PASSWORD_MIN_LENGTH`, never below 6).
    var minimumPasswordLength: Int
    /// How long an email link (confirmation, recovery) stays valid (GoTrue's `MAILER_OTP_EXP`).
    var oneTimeTokenTTL: Int
    /// This gateway's base URL as a browser reaches it: email links point here.
    var publicURL: String
    /// Where a verified link lands when no (allowed) `redirect_to` is given (GoTrue's `SITE_URL`).
    var siteURL: String
    /// Further `redirect_to` targets allowed besides the site's host (GoTrue's
    /// `URI_ALLOW_LIST`), as URL prefixes. A link carries session tokens to its redirect target,
    /// so an unlisted target falls back to the site URL rather than leaking them elsewhere.
    var redirectAllowList: [String]
    /// `X-Forwarded-For` is believed only behind a trusted proxy.
    var trustProxy: Bool
    /// Per-IP limits: the password grant (brute force) and the two endpoints that send email.
    var passwordGrantLimit: Int
    var passwordGrantWindow: TimeInterval
    var signupLimit: Int
    var recoverLimit: Int
    var emailWindow: TimeInterval

    static func fromEnvironment(_ environment: BanquetCore.Environment) throws -> AuthConfiguration {
        let port = try environment.int("BANQUET_HTTP_PORT", default: 54321)
        let publicURL = environment.optionalString("BANQUET_PUBLIC_URL") ?? "http://localhost:\(port)"
        let minimum = try environment.int("BANQUET_AUTH_MIN_PASSWORD", default: 6)
        guard minimum >= 6, minimum <= 72 else {
            throw BanquetError.configuration("BANQUET_AUTH_MIN_PASSWORD must be between 6 and 72 (bcrypt reads 72 bytes), got \(minimum)")
        }
        let ttl = try environment.int("BANQUET_JWT_EXPIRY", default: 3600)
        guard ttl >= 30 else { throw BanquetError.configuration("BANQUET_JWT_EXPIRY must be at least 30 seconds, got \(ttl)") }
        return AuthConfiguration(
            autoconfirm: try environment.bool("BANQUET_AUTH_AUTOCONFIRM", default: true),
            accessTokenTTL: ttl,
            minimumPasswordLength: minimum,
            oneTimeTokenTTL: 3600,
            publicURL: publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL,
            siteURL: environment.optionalString("BANQUET_AUTH_SITE_URL") ?? publicURL,
            redirectAllowList: (environment.optionalString("BANQUET_AUTH_REDIRECT_URLS") ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            trustProxy: try environment.bool("BANQUET_TRUST_PROXY", default: false),
            passwordGrantLimit: try environment.int("BANQUET_AUTH_RATE_LIMIT_PASSWORD", default: 30),
            passwordGrantWindow: 300,
            signupLimit: try environment.int("BANQUET_AUTH_RATE_LIMIT_SIGNUP", default: 30),
            recoverLimit: try environment.int("BANQUET_AUTH_RATE_LIMIT_RECOVER", default: 30),
            emailWindow: 3600
        )
    }

    /// The `redirect_to` a verified link may send its tokens to: the requested one when it is on
    /// the site's or this gateway's host, or within an allow-listed URL (same scheme, host and
    /// port, path under the listed one — compared parsed, so `https://app.example.com` does not
    /// admit `https://app.example.com.evil.net`); else the site URL.
    func allowedRedirect(_ requested: String?) -> String {
        guard let requested, !requested.isEmpty, let target = URLComponents(string: requested), target.host != nil else { return siteURL }
        let ownHosts = [siteURL, publicURL].compactMap { URLComponents(string: $0)?.host }
        // Host only, ports aside, as GoTrue compares them.
        if target.scheme == "http" || target.scheme == "https", let host = target.host, ownHosts.contains(host) { return requested }
        let listed = redirectAllowList.compactMap(URLComponents.init(string:)).contains { entry in
            entry.scheme == target.scheme && entry.host == target.host && entry.port == target.port && target.path.hasPrefix(entry.path)
        }
        return listed ? requested : siteURL
    }
}
