import ConnectorKit
import Foundation
import NIOHTTP1

/// Email over Resend's HTTP API: `POST {base}/emails` with a bearer API key and a JSON body
/// (resend.com/docs/api-reference/emails/send-email). The `Idempotency-Key` is the message's
/// Message-ID, which the `email.send` handler derives from the job id: a retried job asks for the
/// same email and Resend returns the first one instead of sending twice (keys live 24 hours).
public struct ResendTransport: EmailTransport {
    let baseURL: URL
    let apiKey: String
    let timeout: Duration
    let client: HTTPJSONClient

    public init(baseURL: URL, apiKey: String, timeout: Duration, transport: any HTTPTransport) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.client = HTTPJSONClient(transport: transport)
    }

    struct Body: Encodable {
        var from: String
        var to: [String]
        var subject: String
        var text: String
        var html: String?
        var replyTo: String?
        var headers: [String: String]?
        enum CodingKeys: String, CodingKey { case from, to, subject, text, html, replyTo = "reply_to", headers }
    }

    struct Sent: Decodable { var id: String }

    public func send(_ message: EmailMessage) async throws -> EmailReceipt {
        guard !message.to.isEmpty else { throw EmailError.invalidMessage("no recipients") }
        let messageID = message.headers.first { $0.key.lowercased() == "message-id" }?.value
        var extra = message.headers.filter { !["message-id", "idempotency-key"].contains($0.key.lowercased()) }
        if let messageID { extra["Message-ID"] = messageID }
        var headers: HTTPHeaders = ["Authorization": "Bearer \(apiKey)"]
        if let key = message.headers.first(where: { $0.key.lowercased() == "idempotency-key" })?.value
            ?? messageID?.trimmingCharacters(in: CharacterSet(charactersIn: "<>")) {
            headers.add(name: "Idempotency-Key", value: key)
        }
        let body = Body(from: message.from, to: message.to, subject: message.subject, text: message.text, html: message.html,
                        replyTo: message.replyTo, headers: extra.isEmpty ? nil : extra)
        do {
            let sent: Sent = try await client.send(.POST, baseURL.appendingPathComponent("emails"), body: body, headers: headers, timeout: timeout)
            return EmailReceipt(providerMessageID: sent.id, transport: "resend")
        } catch let error as ConnectorError {
            throw EmailError.api(provider: "resend", message: error.message, retryable: error.isRetryable, retryAfter: error.retryAfter)
        }
    }
}
