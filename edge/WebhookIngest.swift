import BanquetCore
import Logging
import PostgresNIO

/// One provider event out of a webhook delivery, with what recording it means.
struct WebhookEvent: Sendable {
    enum Outcome: Sendable {
        case processed
        /// Acknowledged but not acted on (unknown account or message): the provider must not retry.
        case ignored(String)
    }

    var provider: String
    /// The provider's own id for this event: a redelivery carries the same id and is a no-op.
    var eventID: String
    var payload: JSONValue
    /// The channel account the event is addressed to (`channel`, external id), or nil when the
    /// event is not tied to one (payments).
    var account: (channel: String, externalID: String)?
    /// For events not addressed to a channel account: finds the organization they belong to
    /// (e.g. through the payment they name).
    var organization: (@Sendable (PostgresConnection, Logger) async throws -> String?)? = nil
    /// The write-back, inside a savepoint; given the account's organization (nil when unknown).
    var apply: @Sendable (PostgresConnection, String?, Logger) async throws -> Outcome

    init(provider: String, eventID: String, payload: JSONValue, account: (channel: String, externalID: String)?,
         organization: (@Sendable (PostgresConnection, Logger) async throws -> String?)? = nil,
         apply: @escaping @Sendable (PostgresConnection, String?, Logger) async throws -> Outcome) {
        self.provider = provider
        self.eventID = eventID
        self.payload = payload
        self.account = account
        self.organization = organization
        self.apply = apply
    }
}

/// Records a delivery's events in one short transaction: each once per provider id
/// (`public.ingest_webhook_event`), then its write-back in a savepoint, so one event that cannot
/// apply (a status for a message we never sent) is marked and skipped without losing the others.
struct WebhookIngest: Sendable {
    let database: EdgeDatabase

    struct Summary: Sendable {
        var received = 0
        var duplicates = 0
        var ignored = 0
        var failed = 0

        var json: [String: any Sendable] {
            ["received": received, "duplicates": duplicates, "ignored": ignored, "failed": failed]
        }
    }

    func record(_ events: [WebhookEvent], function: String, logger: Logger) async throws -> Summary {
        try await database.transaction(logger: logger) { connection in
            var summary = Summary()
            for event in events {
                summary.received += 1
                var organization: String?
                if let account = event.account {
                    organization = try await connection.channelAccountOrganization(channel: account.channel, externalID: account.externalID, logger: logger)
                } else if let lookup = event.organization {
                    organization = try await lookup(connection, logger)
                }
                let ingested = try await connection.ingestWebhookEvent(provider: event.provider, eventID: event.eventID, payload: event.payload.jsonText,
                                                                       organizationID: organization, logger: logger)
                if ingested.duplicate {
                    summary.duplicates += 1
                    continue
                }
                if let account = event.account, organization == nil {
                    // Acknowledged so the provider stops retrying; an operator sees it in the log and the table.
                    let reason = "no active \(account.channel) account \(account.externalID)"
                    logger.warning("edge: webhook for an unknown account", metadata: ["function": "\(function)", "event_id": "\(event.eventID)", "account": "\(account.externalID)"])
                    try await connection.finishWebhookEvent(ingested.id, status: "ignored", error: reason, logger: logger)
                    summary.ignored += 1
                    continue
                }
                let outcome = await EdgeDatabase.savepoint(connection, logger: logger) {
                    try await event.apply(connection, organization, logger)
                }
                switch outcome {
                case .success(.processed):
                    try await connection.finishWebhookEvent(ingested.id, status: "processed", logger: logger)
                case .success(.ignored(let reason)):
                    logger.info("edge: webhook event ignored", metadata: ["function": "\(function)", "event_id": "\(event.eventID)", "reason": "\(reason)"])
                    try await connection.finishWebhookEvent(ingested.id, status: "ignored", error: reason, logger: logger)
                    summary.ignored += 1
                case .failure(let error):
                    let reason = DatabaseError.describe(error)
                    logger.warning("edge: webhook event failed", metadata: ["function": "\(function)", "event_id": "\(event.eventID)", "error": "\(reason)"])
                    try await connection.finishWebhookEvent(ingested.id, status: "failed", error: reason, logger: logger)
                    summary.failed += 1
                }
            }
            return summary
        }
    }
}
