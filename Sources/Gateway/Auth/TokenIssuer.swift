import BanquetCore
import Foundation
import JWTKit
import NIOConcurrencyHelpers

/// Signs and verifies HS256 tokens with the one project secret: the API keys, users' access
/// tokens, and anything `banquet token` mints.
///
/// The algorithm is pinned: only HS256 with this secret verifies. `alg: none`, another HMAC
/// size, an asymmetric algorithm or a token signed with another key is refused before any claim
/// is read.
public struct TokenIssuer: Sendable {
    /// Roles a token may name. A token for any other role is refused here rather than by
    /// `set local role` failing inside a transaction.
    public static let roles: Set<String> = ["anon", "authenticated", "service_role"]

    // Internal so Storage's signed-URL tokens (Storage/SignedURLToken.swift) use the same pinned key.
    let keys: JWTKeyCollection
    /// Tokens already verified, as PostgREST's JWT cache keeps them: a client sends the same token
    /// on every request for its lifetime, and verifying it (HMAC, two JSON decodes) was a tenth of
    /// a request's CPU. Only successes are kept; expiry is checked on every hit; the table is
    /// emptied when full, so its size stays bounded whatever clients send.
    private let verified = NIOLockedValueBox([String: VerifiedToken]())
    static let cacheLimit = 10_000

    public init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await keys.sign(claims, header: ["typ": "JWT"])
    }

    /// The verified claims, and the payload exactly as the client sent it (what
    /// `request.jwt.claims` carries, custom claims included).
    public func verify(_ token: String) async throws(TokenError) -> VerifiedToken {
        if let known = verified.withLockedValue({ $0[token] }) {
            try known.claims.checkTimes(now: Int(Date().timeIntervalSince1970))
            return known
        }
        let result = try await verifyUncached(token)
        verified.withLockedValue { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[token] = result
        }
        return result
    }

    func verifyUncached(_ token: String) async throws(TokenError) -> VerifiedToken {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard case .algorithm(let alg) = Self.header(of: token), segments.count == 3,
              let payloadData = Base64URL.decode(String(segments[1]))
        else { throw .malformed }
        guard alg == "HS256" else { throw .unsupportedAlgorithm(alg ?? "none") }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch let error as TokenError {
            throw error
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .invalidSignature
        } catch {
            throw .malformed
        }
        guard Self.roles.contains(claims.role) else { throw .unknownRole(claims.role) }
        return VerifiedToken(claims: claims, rawPayload: String(decoding: payloadData, as: UTF8.self))
    }

    /// What a compact JWT's header says, read before any key is tried: the algorithm pin is
    /// checked on this for every token the project accepts (access tokens, signed storage URLs).
    enum HeaderShape: Equatable {
        case malformed
        case algorithm(String?)
    }

    static func header(of token: String) -> HeaderShape {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let data = Base64URL.decode(String(segments[0])),
              let header = try? JSONDecoder().decode(Header.self, from: data)
        else { return .malformed }
        return .algorithm(header.alg)
    }

    private struct Header: Decodable { let alg: String? }
}

public struct VerifiedToken: Sendable {
    public let claims: AccessTokenClaims
    public let rawPayload: String
}

enum Base64URL {
    static func decode(_ text: String) -> Data? {
        var bytes = Array(text.utf8)
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "-"): bytes[index] = UInt8(ascii: "+")
            case UInt8(ascii: "_"): bytes[index] = UInt8(ascii: "/")
            default: break
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(bytes))
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
