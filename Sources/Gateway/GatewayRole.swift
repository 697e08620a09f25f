/// What one `banquet serve` process runs (`--role`). Production runs N `worker` tasks scaled on
/// queue depth and M `gateway` tasks behind the load balancer against one database; a small
/// install runs one `all`.
public enum GatewayRole: String, Sendable, Codable, CaseIterable {
    /// The job runtime and every HTTP route.
    case all
    /// The job runtime; HTTP serves only health and metrics (for the orchestrator's probes).
    case worker
    /// Every HTTP route; claims no jobs.
    case gateway

    public var runsJobs: Bool { self != .gateway }
    /// RPC, auth, storage, realtime, edge functions, pages: everything a client calls.
    public var servesClientRoutes: Bool { self != .worker }

    /// For `/health/all`: what this process runs.
    public var components: [String] {
        var components = ["health", "metrics"]
        if runsJobs { components.append("bridge") }
        if servesClientRoutes { components.append("edge-functions") }
        return components
    }
}
