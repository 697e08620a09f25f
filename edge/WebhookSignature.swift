import Crypto
import Foundation

/// The one signature check every webhook edge function uses. Each provider signs the raw body
/// bytes with a shared secret (HMAC-SHA256); they differ only in where the signature travels and
/// what else is signed. Comparisons are constant-time (`HMAC.isValidAuthenticationCode`), so a
/// forger learns nothing from how long a rejection took.
public enum WebhookSignature {
    /// Why a signature was refused; the text goes into the log, never into the response body.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case missing(String)
        case malformed(String)
        case mismatch
        /// The signed timestamp is outside the tolerance: a replay of an old delivery, or a clock problem.
        case stale(ageSeconds: Int)

        public var description: String {
            switch self {
            case .missing(let header): "signature header \(header) is missing"
            case .malformed(let detail): "signature header is malformed: \(detail)"
            case .mismatch: "signature does not match the body"
            case .stale(let age): "signed timestamp is \(age) s from now, outside the tolerance"
            }
        }
    }

    /// Meta (WhatsApp, Instagram): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
    /// keyed with the app secret (developers.facebook.com/docs/graph-api/webhooks/getting-started,
    /// "Validate Payloads").
    public static func verifyHub(body: some Collection<UInt8>, header: String?, appSecret: String) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing("X-Hub-Signature-256") }
        guard header.hasPrefix("sha256="), let mac = hexBytes(header.dropFirst("sha256=".count)), mac.count == 32 else {
            throw .malformed("expected sha256=<64 hex digits>")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(body), using: SymmetricKey(data: Data(appSecret.utf8))) else {
            throw .mismatch
        }
    }

    /// Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each v1 is the
    /// HMAC-SHA256 of `"<t>.<raw body>"` keyed with the endpoint secret; any v1 may match (secrets
    /// roll), and a timestamp more than `tolerance` from now is refused so a captured delivery
    /// cannot be replayed later (stripe.com/docs/webhooks#verify-manually).
    /// - Returns: the signed timestamp.
    @discardableResult
    public static func verifyStripe(body: some Collection<UInt8>, header: String?, secret: String,
                                    now: Date = Date(), tolerance: TimeInterval = 300) throws(Failure) -> Int {
        guard let header, !header.isEmpty else { throw .missing("Stripe-Signature") }
        var timestamp: Int?
        var candidates: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if key == "t" { timestamp = Int(parts[1].trimmingCharacters(in: .whitespaces)) }
            if key == "v1", let mac = hexBytes(Substring(parts[1].trimmingCharacters(in: .whitespaces))), mac.count == 32 {
                candidates.append(mac)
            }
        }
        guard let timestamp else { throw .malformed("no t=<timestamp>") }
        guard !candidates.isEmpty else { throw .malformed("no v1=<signature>") }
        let age = Int(now.timeIntervalSince1970) - timestamp
        guard TimeInterval(abs(age)) <= tolerance else { throw .stale(ageSeconds: age) }
        let key = SymmetricKey(data: Data(secret.utf8))
        let signed = Array("\(timestamp).".utf8) + Array(body)
        guard candidates.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }) else {
            throw .mismatch
        }
        return timestamp
    }

    /// Svix (Resend's webhooks): headers `svix-id`, `svix-timestamp`, `svix-signature:
    /// v1,<base64> [v1,<base64>…]`; the signed content is `"<id>.<timestamp>.<raw body>"`, the key
    /// is the base64 part of the `whsec_…` secret (docs.svix.com/receiving/verifying-payloads/how-manual).
    public static func verifySvix(body: some Collection<UInt8>, id: String?, timestamp: String?, signature: String?,
                                  secret: String, now: Date = Date(), tolerance: TimeInterval = 300) throws(Failure) {
        guard let id, !id.isEmpty else { throw .missing("svix-id") }
        guard let timestamp, !timestamp.isEmpty else { throw .missing("svix-timestamp") }
        guard let signature, !signature.isEmpty else { throw .missing("svix-signature") }
        guard let seconds = Int(timestamp) else { throw .malformed("svix-timestamp is not unix seconds") }
        let age = Int(now.timeIntervalSince1970) - seconds
        guard TimeInterval(abs(age)) <= tolerance else { throw .stale(ageSeconds: age) }
        let encodedKey = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        guard let keyBytes = Data(base64Encoded: encodedKey) else { throw .malformed("the configured secret is not whsec_<base64>") }
        let key = SymmetricKey(data: keyBytes)
        let signed = Array("\(id).\(timestamp).".utf8) + Array(body)
        let candidates = signature.split(separator: " ").compactMap { item -> Data? in
            let parts = item.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return Data(base64Encoded: String(parts[1]))
        }
        guard !candidates.isEmpty else { throw .malformed("no v1,<base64> signature") }
        guard candidates.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }) else {
            throw .mismatch
        }
    }

    /// A `Stripe-Signature` header for `body` at `timestamp`: what the offline sandbox pay page
    /// sends, so its deliveries pass the very check a real provider's do.
    public static func stripeHeader(body: some Collection<UInt8>, secret: String, timestamp: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + Array(body), using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=\(mac.map { String(format: "%02x", $0) }.joined())"
    }

    /// Lower- or upper-case hex to bytes; nil for anything else.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
