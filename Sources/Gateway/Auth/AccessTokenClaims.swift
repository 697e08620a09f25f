import BanquetCore
import Foundation
import JWTKit

/// The claims of an access token, as GoTrue issues them and PostgREST reads them.
///
/// Keys for the API (`anon`, `service_role`) carry only `role`, `iss`, `iat` and `exp`, as
/// Supabase's do; a user's session token carries the rest.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: String?
    public var role: String
    public var aud: String?
    public var exp: Int
    public var iat: Int
    public var nbf: Int?
    public var iss: String?
    public var email: String?
    public var phone: String?
    public var session_id: String?
    public var is_anonymous: Bool?
    public var aal: String?
    /// How the session signed in (`[{"method": "password", "timestamp": …}]`), as GoTrue sets it.
    public var amr: [JSONValue]?
    public var app_metadata: [String: JSONValue]?
    public var user_metadata: [String: JSONValue]?

    public init(sub: String? = nil, role: String, aud: String? = nil, issuedAt: Date = Date(), ttl: TimeInterval, iss: String? = "banquet",
                email: String? = nil, sessionID: String? = nil, isAnonymous: Bool? = nil,
                appMetadata: [String: JSONValue]? = nil, userMetadata: [String: JSONValue]? = nil) {
        self.sub = sub
        self.role = role
        self.aud = aud
        self.iat = Int(issuedAt.timeIntervalSince1970)
        self.exp = Int(issuedAt.timeIntervalSince1970 + ttl)
        self.iss = iss
        self.email = email
        self.session_id = sessionID
        self.is_anonymous = isAnonymous
        self.aal = sub == nil ? nil : "aal1"
        self.app_metadata = appMetadata
        self.user_metadata = userMetadata
    }

    /// Expiry and not-before, with PostgREST's 30 s allowance for clock skew.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try checkTimes(now: Int(Date().timeIntervalSince1970))
    }

    func checkTimes(now: Int) throws(TokenError) {
        if exp + 30 < now { throw .expired }
        if let nbf, nbf - 30 > now { throw .notYetValid }
    }
}

