/// Why a presented token was refused. Each maps to PostgREST's answer (401, `PGRST301`, with a
/// `WWW-Authenticate: Bearer error="invalid_token"` header) and to GoTrue's (401 `bad_jwt`).
public enum TokenError: Error, Equatable, Sendable {
    case expired
    case notYetValid
    case malformed
    case invalidSignature
    case unsupportedAlgorithm(String)
    case unknownRole(String)

    /// The message PostgREST 12 gives for the same failure.
    public var message: String {
        switch self {
        case .expired: return "JWT expired"
        case .notYetValid: return "JWT not yet valid"
        case .malformed: return "JWT could not be decoded"
        case .invalidSignature: return "JWSError JWSInvalidSignature"
        case .unsupportedAlgorithm(let alg): return "JWSError (JWSAlgorithmNotSupported \"\(alg)\")"
        case .unknownRole(let role): return "role \"\(role)\" does not exist"
        }
    }
}
