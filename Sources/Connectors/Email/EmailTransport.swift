/// Sends one email. Implementations: `SMTPTransport` (real delivery) and `MailboxTransport`
/// (offline: writes `.eml` files a developer can open; nothing leaves the machine).
public protocol EmailTransport: Sendable {
    /// Hands `message` to the transport. Throws `EmailError`; `isRetryable` tells a retry
    /// (connection trouble, 4xx replies) from a permanent failure (5xx replies, bad addresses).
    func send(_ message: EmailMessage) async throws -> EmailReceipt
}

/// One email. Addresses are `addr@example.com` or `Display Name <addr@example.com>`.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var replyTo: String?
    public var subject: String
    public var text: String
    /// With an HTML body the message becomes multipart/alternative (text and HTML).
    public var html: String?
    /// Extra headers. `Message-ID` (e.g. derived from the job id, so a retried send keeps its id)
    /// replaces the generated one; `Idempotency-Key` is passed along for transports that use it.
    public var headers: [String: String]

    public init(from: String, to: [String], replyTo: String? = nil, subject: String, text: String, html: String? = nil, headers: [String: String] = [:]) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
    }
}

/// What a transport reports after accepting a message.
public struct EmailReceipt: Sendable, Equatable {
    /// The message's `Message-ID` header, angle brackets included (`<job-42@banquet.local>`).
    public var providerMessageID: String
    /// `smtp` or `mailbox`.
    public var transport: String

    public init(providerMessageID: String, transport: String) {
        self.providerMessageID = providerMessageID
        self.transport = transport
    }
}
