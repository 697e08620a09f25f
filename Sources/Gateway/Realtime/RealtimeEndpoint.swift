import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// `/realtime/v1/websocket`: the Phoenix channels endpoint the supabase realtime client opens
/// (`?apikey=<key>&vsn=1.0.0`). docs/realtime.md describes the protocol subset and the delivery.
///
/// The WebSocket upgrade is decided before the router sees the request (`shouldUpgrade`); a
/// request for this path that is not upgraded (no or a bad apikey, another `vsn`, plain HTTP)
/// reaches the router, which explains the refusal.
public struct RealtimeEndpoint: Sendable {
    static let path = "/realtime/v1/websocket"

    let services: RealtimeServices
    let client: PostgresClient
    let configuration: RealtimeConfiguration
    let databaseURL: DatabaseURL
    let feedStatus = RealtimeFeedStatus()

    public init(api: ClientAPI) throws {
        let logger = api.logger
        let catalog = ColumnCatalog(client: api.client, logger: logger)
        self.services = RealtimeServices(hub: RealtimeHub(), issuer: api.issuer, authorizer: ChannelAuthorizer(client: api.client, logger: logger),
                                         memberships: MembershipDirectory(client: api.client, logger: logger), catalog: catalog, logger: logger)
        self.client = api.client
        self.configuration = try RealtimeConfiguration(api.environment)
        self.databaseURL = try api.environment.databaseURL()
    }

    /// Reads the change feed and delivers it; runs beside the HTTP server.
    func feedService() -> ChangeFeed {
        ChangeFeed(client: client, url: databaseURL,
                   delivery: ChangeDelivery(client: client, hub: services.hub, memberships: services.memberships, catalog: services.catalog,
                                             perSubscriber: configuration.perSubscriberDelivery, logger: services.logger),
                   catalog: services.catalog, hub: services.hub, configuration: configuration, status: feedStatus, logger: services.logger)
    }

    /// Realtime's part of `/health/all`.
    func health() -> RealtimeHealth {
        let counts = services.hub.counts
        return feedStatus.health(sockets: counts.sockets, channels: counts.channels)
    }

    // MARK: Upgrade

    func shouldUpgrade(_ request: HTTPRequest) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let target = request.path, let components = URLComponents(string: target), components.path == Self.path else { return .dontUpgrade }
        let query = components.queryItems ?? []
        guard let apiKey = Self.apiKey(query: query, headers: request.headerFields), Self.version(query) == "1.0.0",
              (try? await services.issuer.verify(apiKey)) != nil
        else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            await serve(inbound: inbound, outbound: outbound, apiKey: apiKey)
        }
    }

    static func apiKey(query: [URLQueryItem], headers: HTTPFields) -> String? {
        let key = query.first(where: { $0.name == "apikey" })?.value ?? headers[.apikey]
        return key?.isEmpty == false ? key : nil
    }

    /// `vsn` defaults to 1.0.0 (JSON objects), the only serializer served here.
    static func version(_ query: [URLQueryItem]) -> String {
        query.first(where: { $0.name == "vsn" })?.value ?? "1.0.0"
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, apiKey: String) async {
        let outbox = RealtimeOutbox()
        let connection = RealtimeConnection(services: services, outbox: outbox, apiKey: apiKey)
        services.hub.socketOpened()
        await withTaskGroup(of: Void.self) { group in
            // The one writer: the outbox in order; a client too slow to keep up is disconnected.
            group.addTask {
                for await text in outbox.stream {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
                if outbox.didOverflow {
                    services.logger.warning("realtime: closing a socket that fell \(RealtimeOutbox.limit) messages behind")
                    try? await outbound.close(.policyViolation, reason: "too slow: reconnect and resubscribe")
                }
            }
            // Channels whose token expired are closed within a second.
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(1)) } catch { return }
                    await connection.expireChannels(now: Int(Date().timeIntervalSince1970))
                }
            }
            do {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { await connection.handle(text) }
                }
            } catch {
                services.logger.debug("realtime: socket ended", metadata: ["error": "\(error)"])
            }
            await connection.closed()
            outbox.finish()
            group.cancelAll()
        }
        services.hub.socketClosed()
    }

    // MARK: Plain HTTP on the WebSocket path

    func register(on router: Router<GatewayRequestContext>) {
        router.get(RouterPath(stringLiteral: Self.path)) { request, _ -> Response in
            let query = request.uri.queryParameters
            let items = query.map { URLQueryItem(name: String($0.key), value: String($0.value)) }
            guard let apiKey = Self.apiKey(query: items, headers: request.headers) else {
                return Self.refusal(.unauthorized, "No API key found in request")
            }
            guard (try? await services.issuer.verify(apiKey)) != nil else {
                return Self.refusal(.unauthorized, "Invalid API key")
            }
            guard Self.version(items) == "1.0.0" else {
                return Self.refusal(.badRequest, "Unsupported vsn \(Self.version(items)); this server speaks vsn=1.0.0 (JSON)")
            }
            return Self.refusal(.badRequest, "This is a WebSocket endpoint: connect with an Upgrade: websocket request")
        }
    }

    private static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: "{\"message\":\(JSONText.quoted(message))}")))
    }
}
