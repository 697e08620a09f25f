import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling: the database role a request runs as and the claims it carries.
public struct RequestIdentity: Sendable {
    public let role: String
    /// The JWT payload as the client sent it; `request.jwt.claims` is set to exactly this.
    public let claimsJSON: String
    public let claims: AccessTokenClaims
    public let token: String

    public var isAnonymous: Bool { role == "anon" }
    public var isServiceRole: Bool { role == "service_role" }
    public var userID: UUID? { claims.sub.flatMap(UUID.init(uuidString:)) }
}

/// Why a request was refused before it reached the database.
public enum APIGateRefusal: Error, Sendable {
    /// No `apikey` header or query parameter (Supabase's API gateway answers 401 for this).
    case missingAPIKey
    /// The `apikey` is not a token this project signed.
    case invalidAPIKey
    /// The bearer token failed verification.
    case token(TokenError)
}

/// The check every client route makes first, as Supabase's API gateway and PostgREST make it:
/// an `apikey` is required; the bearer token (or, without one, the apikey itself) decides the role.
public struct APIGate: Sendable {
    public let issuer: TokenIssuer

    public init(issuer: TokenIssuer) {
        self.issuer = issuer
    }

    public func identify(_ request: Request) async throws(APIGateRefusal) -> RequestIdentity {
        let apiKey = request.headers[.apikey] ?? request.uri.queryParameters["apikey"].map(String.init)
        guard let apiKey, !apiKey.isEmpty else { throw .missingAPIKey }
        do {
            _ = try await issuer.verify(apiKey)
        } catch {
            throw .invalidAPIKey
        }
        let token = Self.bearerToken(request.headers[.authorization]) ?? apiKey
        do {
            let verified = try await issuer.verify(token)
            return RequestIdentity(role: verified.claims.role, claimsJSON: verified.rawPayload, claims: verified.claims, token: token)
        } catch {
            throw .token(error)
        }
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

extension HTTPField.Name {
    static let apikey = Self("apikey")!
}
