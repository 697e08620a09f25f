import Crypto
import Foundation

/// A random bearer secret the database never sees: refresh tokens and email-link tokens.
///
/// The client gets `value` (32 random bytes, base64url: 43 characters); the tables keep only
/// `hash` (SHA-256, hex), so a leaked backup or a `select` holds nothing that can be presented.
/// A plain hash (no salt, no stretching) is enough because the value is 256 random bits, not a
/// password: there is nothing to guess.
struct OpaqueToken: Sendable {
    let value: String

    static func generate() -> OpaqueToken {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return OpaqueToken(value: Base64URL.encode(bytes))
    }

    var hash: String { Self.hash(value) }

    static func hash(_ presented: String) -> String {
        SHA256.hash(data: Data(presented.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
