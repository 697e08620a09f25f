import ConnectorKit
import Foundation
import NIOHTTP1

/// Instagram messaging: `POST {base}/{version}/{ig-user-id}/messages` with a bearer token and
/// `{"recipient": {"id"} | {"comment_id"}, "message": {"text"}}`; outside the 24-hour window a
/// person's reply adds `"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"`
/// (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api).
public struct GraphInstagramClient: InstagramClient {
    public let mode = "graph"
    let baseURL: URL
    let version: String
    let accessToken: String
    let timeout: Duration
    let client: HTTPJSONClient

    public init(baseURL: URL, version: String, accessToken: String, timeout: Duration, transport: any HTTPTransport) {
        self.baseURL = baseURL
        self.version = version
        self.accessToken = accessToken
        self.timeout = timeout
        self.client = HTTPJSONClient(transport: transport)
    }

    struct Body: Encodable {
        struct Recipient: Encodable {
            var id: String?
            var commentID: String?
            enum CodingKeys: String, CodingKey { case id, commentID = "comment_id" }
        }
        struct Message: Encodable { var text: String }
        var recipient: Recipient
        var message: Message
        var messagingType: String?
        var tag: String?
        enum CodingKeys: String, CodingKey { case recipient, message, messagingType = "messaging_type", tag }

        init(_ message: InstagramMessage) {
            switch message.recipient {
            case .user(let id): recipient = Recipient(id: id)
            case .comment(let id): recipient = Recipient(commentID: id)
            }
            self.message = Message(text: message.text)
            if let tag = message.tag {
                messagingType = "MESSAGE_TAG"
                self.tag = tag
            } else if case .user = message.recipient {
                messagingType = "RESPONSE"
            }
        }
    }

    struct Sent: Decodable {
        var messageID: String
        enum CodingKeys: String, CodingKey { case messageID = "message_id" }
    }

    public func send(_ message: InstagramMessage) async throws -> InstagramReceipt {
        let url = baseURL.appendingPathComponent(version).appendingPathComponent(message.accountID).appendingPathComponent("messages")
        let request: HTTPRequestSpec
        do {
            request = try client.jsonRequest(.POST, url, body: Body(message), headers: ["Authorization": "Bearer \(accessToken)"], timeout: timeout)
        } catch let error as ConnectorError {
            throw InstagramError(retryable: false, code: nil, reason: error.message)
        }
        let response: HTTPResponseSpec
        do {
            response = try await client.transport.send(request)
        } catch let error as ConnectorError {
            throw InstagramError(retryable: error.isRetryable, code: nil, reason: error.message)
        }
        guard (200..<300).contains(response.status) else {
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0) }
            if let graph = try? JSONDecoder().decode(GraphErrorBody.self, from: Data(response.body)).error, let code = graph.code {
                var reason = graph.message ?? "HTTP \(response.status)"
                if let subcode = graph.errorSubcode { reason += " (subcode \(subcode))" }
                throw InstagramError(retryable: InstagramError.retryableCodes.contains(code) || response.status >= 500, retryAfter: retryAfter, code: code, reason: reason)
            }
            let classified = ConnectorError.classify(status: response.status, headers: response.headers, body: response.body, request: request.redactedDescription)
            throw InstagramError(retryable: classified.isRetryable, retryAfter: classified.retryAfter, code: nil, reason: classified.message)
        }
        guard let sent = try? JSONDecoder().decode(Sent.self, from: Data(response.body)) else {
            throw InstagramError(retryable: false, code: nil, reason: "\(request.redactedDescription) returned \(response.status) without message_id")
        }
        return InstagramReceipt(messageID: sent.messageID, mode: mode)
    }
}

/// The offline Instagram "provider": each request is written to `<outbox>/<message id>.json`.
public struct OfflineInstagramClient: InstagramClient {
    public let mode = "offline"
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: InstagramMessage) async throws -> InstagramReceipt {
        let id = "m_offline_\(UUID().uuidString.lowercased())"
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(["account": message.accountID, "message_id": id])
                .write(to: directory.appendingPathComponent("\(id).meta.json"), options: .atomic)
            try encoder.encode(GraphInstagramClient.Body(message)).write(to: directory.appendingPathComponent("\(id).json"), options: .atomic)
        } catch {
            throw InstagramError(retryable: true, code: nil, reason: "offline outbox \(directory.path) not writable: \(error)")
        }
        return InstagramReceipt(messageID: id, mode: mode)
    }
}
