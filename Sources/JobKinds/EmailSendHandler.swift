import BanquetCore
import BridgeRuntime
import Connectors
import Foundation

/// `email.send`: delivers one email through the configured transport and hands the provider's
/// message id to the kind's SQL write-back (which, for a notification, marks it sent).
///
/// Payload (written by SQL producers and the auth mailer): {"to", "template", "template_version",
/// "data", "reply_to"?, "from"?, ids for the write-back}; the subject, plain text and HTML are
/// rendered from the versioned templates (`EmailTemplates`). The older shape {"to", "subject",
/// "text", "html"?} — jobs queued before templates existed — is sent as it is. The Message-ID is
/// derived from the job id, so a retried send after a crash carries the same id and receiving
/// systems can de-duplicate.
public struct EmailSendHandler: JobHandler {
    public static let kind = "email.send"

    let transport: any EmailTransport
    let defaultFrom: String
    let templates: EmailTemplates?

    public init(transport: any EmailTransport, defaultFrom: String, templates: EmailTemplates? = nil) {
        self.transport = transport
        self.defaultFrom = defaultFrom
        self.templates = templates
    }

    public struct Payload: Decodable, Sendable {
        enum Content: Sendable {
            case template(name: String, version: Int, data: JSONValue)
            case written(subject: String, text: String, html: String?)
        }

        var to: String
        var content: Content
        var replyTo: String?
        var from: String?

        enum CodingKeys: String, CodingKey {
            case to, subject, text, html, from, template, data
            case templateVersion = "template_version"
            case replyTo = "reply_to"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            to = try container.decode(String.self, forKey: .to)
            replyTo = try container.decodeIfPresent(String.self, forKey: .replyTo)
            from = try container.decodeIfPresent(String.self, forKey: .from)
            if let name = try container.decodeIfPresent(String.self, forKey: .template) {
                content = .template(name: name, version: try container.decode(Int.self, forKey: .templateVersion),
                                    data: try container.decodeIfPresent(JSONValue.self, forKey: .data) ?? .object([:]))
            } else {
                content = .written(subject: try container.decode(String.self, forKey: .subject), text: try container.decode(String.self, forKey: .text),
                                   html: try container.decodeIfPresent(String.self, forKey: .html))
            }
        }
    }

    struct Result: Encodable {
        var providerMessageId: String
        var transport: String

        enum CodingKeys: String, CodingKey {
            case providerMessageId = "provider_message_id"
            case transport
        }
    }

    public var provider: String? { "email" }

    public func rateLimitKeys(for payload: Payload) -> [RateLimitKey] {
        [RateLimitKey(name: "email:recipient", value: payload.to.lowercased())]
    }

    /// The subject, plain text and HTML: rendered from the payload's template, or as written.
    func content(of payload: Payload) throws -> (subject: String, text: String, html: String?) {
        switch payload.content {
        case .written(let subject, let text, let html):
            return (subject, text, html)
        case .template(let name, let version, let data):
            guard let templates else { throw JobFailure.permanent("email.send: this daemon has no email templates") }
            do {
                let rendered = try templates.render(name, version: version, data: data)
                return (rendered.subject, rendered.text, rendered.html)
            } catch {
                // A newer daemon may know the template: retry (and go dead after the kind's attempts).
                throw JobFailure.retryable("email.send: \(error)")
            }
        }
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        guard payload.to.contains("@") else {
            throw JobFailure.permanent("email.send: recipient '\(payload.to)' is not an email address")
        }
        let (subject, text, html) = try content(of: payload)
        let message = EmailMessage(
            from: payload.from ?? defaultFrom,
            to: [payload.to],
            replyTo: payload.replyTo,
            subject: subject,
            text: text,
            html: html,
            headers: ["Message-ID": "<job-\(job.id)@banquet.local>"]
        )
        do {
            let receipt = try await transport.send(message)
            context.logger.info("email sent", metadata: ["transport": "\(receipt.transport)", "message_id": "\(receipt.providerMessageID)"])
            return try JobResult.encoding(Result(providerMessageId: receipt.providerMessageID, transport: receipt.transport))
        } catch let error as EmailError {
            if case .api(_, _, true, let retryAfter) = error { throw JobFailure.retryable(error.description, retryAfter: retryAfter) }
            throw error.isRetryable ? JobFailure.retryable(error.description) : JobFailure.permanent(error.description)
        }
    }
}
