import Foundation
import Logging

/// What every socket shares: the hub, token verification, and the database-backed checks.
struct RealtimeServices: Sendable {
    let hub: RealtimeHub
    let issuer: TokenIssuer
    let authorizer: ChannelAuthorizer
    let memberships: MembershipDirectory
    let catalog: ColumnCatalog
    let logger: Logger

    /// A channel's identity from its access token. Realtime refuses a token from the moment it
    /// expires (the HTTP routes allow PostgREST's 30 s of clock skew; a channel is closed at `exp`).
    func identity(_ token: String) async throws(RealtimeTokenError) -> ChannelIdentity {
        let verified: VerifiedToken
        do {
            verified = try await issuer.verify(token)
        } catch {
            throw RealtimeTokenError(error)
        }
        let now = Int(Date().timeIntervalSince1970)
        guard verified.claims.exp > now else { throw RealtimeTokenError(.expired) }
        return ChannelIdentity(role: verified.claims.role, userID: verified.claims.sub.flatMap(UUID.init(uuidString:)),
                               claimsJSON: verified.rawPayload, expiresAt: verified.claims.exp)
    }
}

/// A refused access token, worded as Realtime words it (`InvalidJWTToken: …`).
struct RealtimeTokenError: Error {
    let error: TokenError

    init(_ error: TokenError) {
        self.error = error
    }

    var message: String {
        switch error {
        case .expired: "InvalidJWTToken: Token has expired"
        default: "InvalidJWTToken: \(error.message)"
        }
    }
}
