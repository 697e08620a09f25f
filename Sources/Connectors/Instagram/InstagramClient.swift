import Foundation

/// Sends Instagram direct messages. Implementations: `GraphInstagramClient` (the Instagram
/// messaging API) and `OfflineInstagramClient` (writes each request to an outbox directory).
public protocol InstagramClient: Sendable {
    /// `graph` or `offline`.
    var mode: String { get }
    /// Throws `InstagramError`.
    func send(_ message: InstagramMessage) async throws -> InstagramReceipt
}

public struct InstagramMessage: Sendable, Equatable {
    public enum Recipient: Sendable, Equatable {
        /// An Instagram-scoped user id (a conversation).
        case user(String)
        /// A private reply to a comment (comment-to-DM automation).
        case comment(String)
    }

    /// The Instagram professional account's id.
    public var accountID: String
    public var recipient: Recipient
    public var text: String
    /// `HUMAN_AGENT` for a person's reply between 24 hours and 7 days after the guest's last
    /// message; nil inside the 24-hour window.
    public var tag: String?

    public init(accountID: String, recipient: Recipient, text: String, tag: String? = nil) {
        self.accountID = accountID
        self.recipient = recipient
        self.text = text
        self.tag = tag
    }
}

public struct InstagramReceipt: Sendable, Equatable {
    public var messageID: String
    public var mode: String

    public init(messageID: String, mode: String) {
        self.messageID = messageID
        self.mode = mode
    }
}

/// A failed send, classified by Graph error code: rate limits and temporary errors (4, 17, 32,
/// 613, 2, 1200, 5xx) retry; 190 is an expired token; everything else — including code 10 /
/// subcode 2018278, "outside of allowed window" — is permanent.
public struct InstagramError: Error, Sendable, Equatable, CustomStringConvertible {
    public var retryable: Bool
    public var retryAfter: Duration?
    public var code: Int?
    public var reason: String

    public init(retryable: Bool, retryAfter: Duration? = nil, code: Int?, reason: String) {
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.code = code
        self.reason = reason
    }

    public static let retryableCodes: Set<Int> = [2, 4, 17, 32, 613, 1200]

    /// `Instagram error 10: …` — the form the message's error takes (the SQL reads the code).
    public var description: String {
        "Instagram error \(code.map(String.init) ?? "?"): \(reason)"
    }
}
