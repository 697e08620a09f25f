import Foundation
import Logging
import PostgresNIO

/// The emails `/auth/v1` sends (signup confirmation, password recovery), written to the bridge
/// outbox in the caller's transaction as an `email.send` job: the email goes out only if the
/// token it carries was committed, and through whatever transport the daemon runs (the offline
/// mailbox on `make run`, SMTP or an HTTP API in production).
struct AuthMailer: Sendable {
    let logger: Logger

    struct Message: Sendable {
        var subject: String
        var text: String
        var html: String
    }

    /// GoTrue's default templates, reworded: the link is all the recipient needs.
    static func message(for kind: OneTimeTokenKind, link: String, validFor seconds: Int) -> Message {
        let minutes = seconds / 60
        let escaped = link.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        switch kind {
        case .confirmation:
            return Message(
                subject: "Confirm your signup",
                text: "Follow this link to confirm your email address:\n\n\(link)\n\nThe link works once and expires in \(minutes) minutes.\n",
                html: "<h2>Confirm your signup</h2><p>Follow this link to confirm your email address:</p><p><a href=\"\(escaped)\">Confirm your email</a></p><p>The link works once and expires in \(minutes) minutes.</p>")
        case .recovery:
            return Message(
                subject: "Reset your password",
                text: "Follow this link to reset the password of your account:\n\n\(link)\n\nThe link works once and expires in \(minutes) minutes. If you did not ask for this, ignore this email.\n",
                html: "<h2>Reset your password</h2><p>Follow this link to reset the password of your account:</p><p><a href=\"\(escaped)\">Reset password</a></p><p>The link works once and expires in \(minutes) minutes. If you did not ask for this, ignore this email.</p>")
        }
    }

    /// The link is a secret: the payload asks the bridge to drop the text and html once the job
    /// is finished (migration 20261129005500), so it does not sit in bridge.jobs until pruning.
    func enqueue(to address: String, _ message: Message, on connection: PostgresConnection) async throws {
        try await connection.query("""
            select bridge.enqueue('email.send', jsonb_build_object(
              'to', \(address)::text, 'subject', \(message.subject)::text, 'text', \(message.text)::text, 'html', \(message.html)::text,
              'scrub_when_finished', true))
            """, logger: logger)
    }
}
