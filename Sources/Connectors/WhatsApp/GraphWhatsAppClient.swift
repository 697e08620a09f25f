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

    /// `GET {base}/{version}/{waba-id}/message_templates?fields=name,language,status,components`,
    /// following the `after` cursor (at most 50 pages of 100).
    public func messageTemplates(businessAccountID: String) async throws -> [WhatsAppTemplate] {
        var templates: [WhatsAppTemplate] = []
        var after: String?
        for _ in 0..<50 {
            var components = URLComponents(url: baseURL.appendingPathComponent(version).appendingPathComponent(businessAccountID)
                .appendingPathComponent("message_templates"), resolvingAgainstBaseURL: false)!
            components.queryItems = [URLQueryItem(name: "fields", value: "name,language,status,components"), URLQueryItem(name: "limit", value: "100")]
                + (after.map { [URLQueryItem(name: "after", value: $0)] } ?? [])
            let request = HTTPRequestSpec(method: .GET, url: components.url!, headers: ["Authorization": "Bearer \(accessToken)", "Accept": "application/json"], timeout: timeout)
            let response = try await exchange(request)
            guard let page = try? JSONDecoder().decode(GraphTemplatePage.self, from: Data(response.body)) else {
                throw WhatsAppError(kind: .permanent, code: nil, reason: "\(request.redactedDescription) returned an unexpected template list")
            }
            templates += page.data.map { item in
                WhatsAppTemplate(name: item.name, language: item.language, status: item.status,
                                 body: item.components?.first { $0.type.uppercased() == "BODY" }?.text)
            }
            guard page.paging?.next != nil, let cursor = page.paging?.cursors?.after else { break }
            after = cursor
        }
        return templates
    }

    /// `GET {base}/{version}/{media-id}` → `{url, mime_type, sha256, file_size}`, then `GET url`
    /// with the same bearer token (developers.facebook.com/docs/whatsapp/cloud-api/reference/media).
    public func downloadMedia(mediaID: String) async throws -> WhatsAppMedia {
        let lookup = HTTPRequestSpec(method: .GET, url: baseURL.appendingPathComponent(version).appendingPathComponent(mediaID),
                                     headers: ["Authorization": "Bearer \(accessToken)", "Accept": "application/json"], timeout: timeout)
        let described = try await exchange(lookup)
        guard let info = try? JSONDecoder().decode(GraphMediaInfo.self, from: Data(described.body)), let url = URL(string: info.url) else {
            throw WhatsAppError(kind: .permanent, code: nil, reason: "\(lookup.redactedDescription) returned no media url")
        }
        // Refused before the download: a file the bucket cannot take would only fail after it.
        if let size = info.fileSize, size > InboundMediaStorage.maxBytes {
            throw WhatsAppError(kind: .permanent, code: nil,
                                reason: "media \(mediaID) is \(size) bytes; \(InboundMediaStorage.bucket) stores files up to \(InboundMediaStorage.maxBytes) bytes (25 MiB)")
        }
        let file = try await exchange(HTTPRequestSpec(method: .GET, url: url, headers: ["Authorization": "Bearer \(accessToken)"], timeout: timeout))
        return WhatsAppMedia(bytes: file.body, mimeType: info.mimeType ?? file.headers.first(name: "Content-Type") ?? "application/octet-stream", sha256: info.sha256)
    }

    /// One request whose failure is read as a Graph error.
    private func exchange(_ request: HTTPRequestSpec) async throws -> HTTPResponseSpec {
        let response: HTTPResponseSpec
        do {
            response = try await client.transport.send(request)
        } catch let error as ConnectorError {
            throw WhatsAppError(kind: error.isRetryable ? .retryable(retryAfter: nil) : .permanent, code: nil, reason: error.message)
        }
        guard (200..<300).contains(response.status) else { throw Self.error(from: response, request: request) }
        return response
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

struct GraphTemplatePage: Decodable {
    struct Item: Decodable {
        struct Component: Decodable {
            var type: String
            var text: String?
        }
        var name: String
        var language: String
        var status: String
        var components: [Component]?
    }
    struct Paging: Decodable {
        struct Cursors: Decodable { var after: String? }
        var cursors: Cursors?
        var next: String?
    }
    var data: [Item]
    var paging: Paging?
}

struct GraphMediaInfo: Decodable {
    var url: String
    var mimeType: String?
    var sha256: String?
    /// Bytes; Meta documents a number, and a string of digits is accepted too.
    var fileSize: Int?
    enum CodingKeys: String, CodingKey { case url, mimeType = "mime_type", sha256, fileSize = "file_size" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        mimeType = try container.decodeIfPresent(String.self, forKey: .mimeType)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        fileSize = (try? container.decodeIfPresent(Int.self, forKey: .fileSize))
            ?? (try? container.decodeIfPresent(String.self, forKey: .fileSize)).flatMap { $0.flatMap { Int($0) } }
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
