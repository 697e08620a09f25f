import NIOSSL

/// How `SMTPTransport` reaches its server. From the environment via `EmailConfiguration`.
public struct SMTPConfiguration: Sendable {
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Plain text throughout (a local relay or test sink).
        case never
        /// Upgrade when the server offers STARTTLS, otherwise continue in plain text.
        case ifAvailable = "if-available"
        /// Refuse to send unless the server offers STARTTLS.
        case required
    }

    public var host: String
    public var port: Int
    public var username: String?
    /// Sent only inside AUTH, base64-encoded as the mechanism requires; never logged.
    public var password: String?
    public var startTLS: StartTLS
    /// Per command (connect, each reply), in seconds.
    public var timeoutSeconds: Int
    /// The EHLO name; nil uses the domain of the sender's address.
    public var heloName: String?
    /// Trust settings for STARTTLS (default: the system's roots, hostname verified).
    public var tls: TLSConfiguration

    public init(host: String, port: Int = 587, username: String? = nil, password: String? = nil, startTLS: StartTLS = .ifAvailable, timeoutSeconds: Int = 30, heloName: String? = nil, tls: TLSConfiguration = .makeClientConfiguration()) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.timeoutSeconds = timeoutSeconds
        self.heloName = heloName
        self.tls = tls
    }
}
