import Foundation

/// A snapshot of one daemon's runtime, for `/health/all`.
public struct BridgeStatus: Sendable, Codable, Equatable {
    public var workerID: String
    public var listenConnected: Bool
    public var listenReconnects: Int
    public var lastPollAt: Date?
    public var inFlight: Int
    public var shuttingDown: Bool
    /// The job kinds this daemon has handlers for, and so claims.
    public var kinds: [String]
}
