/// What the HTTP gateway needs to know about the job runtime for `/health/all`.
///
/// A protocol, so the gateway neither depends on the runtime's internals nor needs a running
/// runtime in tests; `banquet serve` adapts the bridge service to it.
public protocol DaemonStatusProvider: Sendable {
    func listenStatus() async -> ListenStatus
}

public struct ListenStatus: Codable, Sendable, Equatable {
    /// True while the dedicated LISTEN connection is up and subscribed.
    public var connected: Bool
    public var reconnects: Int
    public var channel: String
    public var workerID: String
    public var inFlightJobs: Int
    /// The job kinds this process has handlers for, and so the only ones it claims.
    public var kinds: [String]
    /// Each connector's mode (`whatsapp: "offline (outbox …)"`, `payments: "stripe (…)"`), so an
    /// operator sees at a glance which side effects really leave the machine.
    public var connectors: [String: String]

    public init(connected: Bool, reconnects: Int, channel: String, workerID: String, inFlightJobs: Int, kinds: [String] = [],
                connectors: [String: String] = [:]) {
        self.connected = connected
        self.reconnects = reconnects
        self.channel = channel
        self.workerID = workerID
        self.inFlightJobs = inFlightJobs
        self.kinds = kinds
        self.connectors = connectors
    }
}
