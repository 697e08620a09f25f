import BanquetCore
import ConnectorKit
import Foundation
import NIOHTTP1

/// The WhatsApp Cloud API: `POST {base}/{version}/{phone-number-id}/messages` with a bearer
/// token and a JSON body (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
public struct GraphWhatsAppClient: WhatsAppClient {
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

    public func send(_ message: WhatsAppMessage) async throws -> WhatsAppReceipt {
        let url = baseURL.appendingPathComponent(version).appendingPathComponent(message.phoneNumberID).appendingPathComponent("messages")
        let request: HTTPRequestSpec
        do {
            request = try client.jsonRequest(.POST, url, body: GraphMessageBody(message), headers: ["Authorization": "Bearer \(accessToken)"], timeout: timeout)
        } catch let error as ConnectorError {
            throw WhatsAppError(kind: .permanent, code: nil, reason: error.message)
        }
        let response: HTTPResponseSpec
        do {
            response = try await client.transport.send(request)
        } catch let error as ConnectorError {
            // No response: timeouts and connection failures are worth another attempt.
            throw WhatsAppError(kind: error.isRetryable ? .retryable(retryAfter: nil) : .permanent, code: nil, reason: error.message)
        }
        guard (200..<300).contains(response.status) else {
            throw Self.error(from: response, request: request)
        }
        guard let sent = try? JSONDecoder().decode(GraphSendResponse.self, from: Data(response.body)), let id = sent.messages.first?.id else {
            throw WhatsAppError(kind: .permanent, code: nil, reason: "\(request.redactedDescription) returned \(response.status) without messages[0].id")
        }
        return WhatsAppReceipt(messageID: id, mode: mode)
    }

    static func error(from response: HTTPResponseSpec, request: HTTPRequestSpec) -> WhatsAppError {
        let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0) }
        guard let graph = try? JSONDecoder().decode(GraphErrorBody.self, from: Data(response.body)).error else {
            let excerpt = String(decoding: response.body.prefix(300), as: UTF8.self)
            return WhatsAppError.classify(code: nil, subcode: nil, reason: "\(request.redactedDescription) returned \(response.status): \(excerpt)",
                                          status: response.status, retryAfter: retryAfter)
        }
        var reason = graph.message ?? "HTTP \(response.status)"
        if let details = graph.errorData?.details, !details.isEmpty { reason += ": \(details)" }
        return WhatsAppError.classify(code: graph.code, subcode: graph.errorSubcode, reason: reason, status: response.status, retryAfter: retryAfter)
    }
}

/// The request body, exactly as the Cloud API documents it.
struct GraphMessageBody: Encodable {
    struct Text: Encodable {
        var previewURL: Bool
        var body: String
        enum CodingKeys: String, CodingKey { case previewURL = "preview_url", body }
    }
    struct Language: Encodable { var code: String }
    struct Parameter: Encodable {
        var type: String
        var text: String?
        var payload: String?
    }
    struct Component: Encodable {
        var type: String
        var subType: String?
        var index: String?
        var parameters: [Parameter]
        enum CodingKeys: String, CodingKey { case type, subType = "sub_type", index, parameters }
    }
    struct Template: Encodable {
        var name: String
        var language: Language
        var components: [Component]?
    }
    struct Context: Encodable {
        var messageID: String
        enum CodingKeys: String, CodingKey { case messageID = "message_id" }
    }

    var messagingProduct = "whatsapp"
    var recipientType = "individual"
    var to: String
    var type: String
    var text: Text?
    var template: Template?
    var context: Context?

    enum CodingKeys: String, CodingKey {
        case messagingProduct = "messaging_product", recipientType = "recipient_type", to, type, text, template, context
    }

    init(_ message: WhatsAppMessage) {
        to = message.to
        context = message.replyTo.map { Context(messageID: $0) }
        switch message.content {
        case .text(let body):
            type = "text"
            text = Text(previewURL: body.contains("https://"), body: body)
        case .template(let name, let language, let parts):
            type = "template"
            var components: [Component] = []
            if !parts.header.isEmpty {
                components.append(Component(type: "header", parameters: parts.header.map { Parameter(type: "text", text: $0) }))
            }
            if !parts.body.isEmpty {
                components.append(Component(type: "body", parameters: parts.body.map { Parameter(type: "text", text: $0) }))
            }
            for button in parts.buttons {
                let parameter = button.subType == "quick_reply" ? Parameter(type: "payload", payload: button.parameter) : Parameter(type: "text", text: button.parameter)
                components.append(Component(type: "button", subType: button.subType, index: String(button.index), parameters: [parameter]))
            }
            template = Template(name: name, language: Language(code: language), components: components.isEmpty ? nil : components)
        }
    }
}

struct GraphSendResponse: Decodable {
    struct Sent: Decodable { var id: String }
    var messages: [Sent]
}

struct GraphErrorBody: Decodable {
    struct GraphError: Decodable {
        struct ErrorData: Decodable { var details: String? }
        var message: String?
        var code: Int?
        var errorSubcode: Int?
        var errorData: ErrorData?
        enum CodingKeys: String, CodingKey { case message, code, errorSubcode = "error_subcode", errorData = "error_data" }
    }
    var error: GraphError
}
