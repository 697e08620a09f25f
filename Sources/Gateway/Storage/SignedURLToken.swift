import Foundation
import JWTKit

/// The token in a signed download URL, as Supabase Storage mints it: an HS256 JWT signed with the
/// project secret, carrying `url` = `"<bucket>/<name>"`, `scope` = `"download"`, `iat` and `exp`.
/// It names no role, so it is never accepted as an access token (`TokenIssuer.verify` requires
/// one), and an access token is never accepted here (it has no `url`).
struct SignedURLToken: JWTPayload {
    static let downloadScope = "download"

    var url: String
    var scope: String?
    var iat: Int
    var exp: Int

    /// Expiry is checked by `verify(_:bucket:name:)` after the path, to answer as Storage does.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension TokenIssuer {
    func signObjectURL(bucket: String, name: String, expiresIn: Int, now: Date = Date()) async throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        let claims = SignedURLToken(url: bucket + "/" + name, scope: SignedURLToken.downloadScope, iat: issued, exp: issued + expiresIn)
        return try await keys.sign(claims, header: ["typ": "JWT"])
    }

    /// Checks signature, scope, path and expiry, in Storage's order and with its answers
    /// (`verifyObjectSignature` in supabase/storage `src/storage/object.ts`).
    func verifyObjectURL(_ token: String, bucket: String, name: String, now: Date = Date()) async throws(StorageError) -> SignedURLToken {
        guard case .algorithm(let alg) = Self.header(of: token) else { throw .invalidJWT("jwt malformed") }
        guard alg == "HS256" else { throw .invalidJWT("invalid algorithm") }
        let claims: SignedURLToken
        do {
            claims = try await keys.verify(token, as: SignedURLToken.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .invalidJWT("invalid signature")
        } catch {
            throw .invalidJWT("jwt malformed")
        }
        if claims.exp < Int(now.timeIntervalSince1970) { throw .invalidJWT("jwt expired") }
        guard claims.scope == nil || claims.scope == SignedURLToken.downloadScope else {
            throw StorageError(statusCode: "400", error: "InvalidSignature", code: "InvalidSignature", message: "Token is not scoped for download")
        }
        guard claims.url == bucket + "/" + name else { throw .invalidSignature }
        return claims
    }
}
