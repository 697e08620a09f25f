import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension GatewayRequestContext {
    /// The caller's IP for rate limits and logs: the socket's peer, or the first
    /// `X-Forwarded-For` hop when `BANQUET_TRUST_PROXY=true` (behind a load balancer only —
    /// otherwise any client could pick its own address).
    public func clientIP(_ request: Request, trustProxy: Bool) -> String {
        if trustProxy, let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
