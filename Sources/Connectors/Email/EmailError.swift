/// Why a send failed, classified for the job runtime: `isRetryable` → retry with backoff,
/// otherwise → dead (retrying cannot help).
public enum EmailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SMTP server answered `command` with an error reply. 4xx is transient (retryable),
    /// 5xx is permanent (e.g. `550 5.1.1 no such user`).
    case rejected(command: String, reply: SMTPReply)
    /// TCP connect failed (refused, unreachable, DNS): retryable.
    case connectionFailed(host: String, port: Int, reason: String)
    /// No reply within the configured timeout: retryable.
    case timedOut(during: String, seconds: Int)
    /// The server closed the connection or the TLS session failed mid-conversation: retryable.
    case connectionLost(during: String, reason: String)
    /// An address the transport cannot use (no `@`, control characters, non-ASCII): permanent.
    case invalidAddress(String)
    /// A message that cannot be rendered safely (no recipients, a header with a line break): permanent.
    case invalidMessage(String)
    /// The server cannot do what the configuration demands (STARTTLS required but not offered,
    /// credentials configured but no supported AUTH mechanism): permanent until reconfigured.
    case unsupported(String)
    /// The mailbox directory could not be written: retryable (disk full, permissions fixed later).
    case mailboxWrite(path: String, reason: String)
    /// An email API (Resend) refused the request or did not answer; `retryable` follows its
    /// status (429 and 5xx, timeouts) and `message` carries its explanation.
    case api(provider: String, message: String, retryable: Bool, retryAfter: Duration?)

    public var isRetryable: Bool {
        switch self {
        case .api(_, _, let retryable, _): return retryable
        case .rejected(_, let reply): return reply.isTransient
        case .connectionFailed, .timedOut, .connectionLost, .mailboxWrite: return true
        case .invalidAddress, .invalidMessage, .unsupported: return false
        }
    }

    /// The server's own words, when a server answered.
    public var serverReply: String? {
        if case .rejected(_, let reply) = self { return reply.description }
        return nil
    }

    public var description: String {
        switch self {
        case .rejected(let command, let reply):
            return "SMTP server rejected \(command): \(reply)"
        case .connectionFailed(let host, let port, let reason):
            return "cannot connect to SMTP server \(host):\(port): \(reason)"
        case .timedOut(let during, let seconds):
            return "SMTP server did not answer \(during) within \(seconds) s"
        case .connectionLost(let during, let reason):
            return "SMTP connection lost during \(during): \(reason)"
        case .invalidAddress(let address):
            return "invalid email address '\(address)'"
        case .invalidMessage(let reason):
            return "invalid email message: \(reason)"
        case .unsupported(let reason):
            return reason
        case .mailboxWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .api(let provider, let message, _, _):
            return "\(provider) refused the email: \(message)"
        }
    }
}

/// One SMTP reply: a three-digit code and its text lines (multi-line replies joined).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransient: Bool { (400..<500).contains(code) }
    public var text: String { lines.joined(separator: " ") }
    public var description: String { "\(code) \(text)" }
}
