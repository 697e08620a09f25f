import Foundation
import Hummingbird
import Logging
import NIOCore

/// The gateway's own request context: Hummingbird's core storage plus a request id that every log
/// line of the request carries and that an unexpected failure's 500 answer names, so an operator
/// can find the log line a user reports without the user ever seeing server internals.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let requestID: String
    /// The peer's socket address, for rate limits and the access log.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        let requestID = UUID().uuidString.lowercased()
        var logger = source.logger
        logger[metadataKey: "request_id"] = .string(requestID)
        self.coreContext = .init(source: ApplicationRequestContextSource(channel: source.channel, logger: logger))
        self.requestID = requestID
        self.remoteAddress = source.channel.remoteAddress
    }
}
