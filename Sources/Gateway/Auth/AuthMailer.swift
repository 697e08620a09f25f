import Foundation
import Logging
import PostgresNIO

/// The emails `/auth/v1` sends (signup confirmation, password recovery), written to the bridge
/// outbox in the caller's transaction as an `email.send` job: the email goes out only if the
/// token it carries was committed, and through whatever transport the daemon runs (the offline
/// mailbox on `make run`, SMTP or an HTTP API in production). The daemon renders it from the
/// versioned templates `signup_confirmation` and `password_recovery` (GoTrue's defaults, reworded:
/// the link is all the recipient needs).
struct AuthMailer: Sendable {
    let logger: Logger

    struct Message: Sendable, Equatable {
        var template: String
        var version: Int
        var link: String
        var validMinutes: Int
    }

    static func message(for kind: OneTimeTokenKind, link: String, validFor seconds: Int) -> Message {
        switch kind {
        case .confirmation: Message(template: "signup_confirmation", version: 1, link: link, validMinutes: seconds / 60)
        case .recovery: Message(template: "password_recovery", version: 1, link: link, validMinutes: seconds / 60)
        }
    }

    /// The link is a secret: the payload asks the bridge to drop the template data once the job
    /// is finished (migrations 20261129005500 and 20261129011200), so it does not sit in
    /// bridge.jobs until pruning.
    func enqueue(to address: String, _ message: Message, on connection: PostgresConnection) async throws {
        try await connection.query("""
            select bridge.enqueue('email.send', jsonb_build_object(
              'to', \(address)::text, 'template', \(message.template)::text, 'template_version', \(message.version)::integer,
              'data', jsonb_build_object('link', \(message.link)::text, 'valid_minutes', \(message.validMinutes)::integer),
              'scrub_when_finished', true))
            """, logger: logger)
    }
}
