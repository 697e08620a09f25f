import BanquetCore

/// Realtime settings (`.env.example` lists them).
struct RealtimeConfiguration: Sendable {
    /// `BANQUET_REALTIME_POLL_MS` (default 1000): how often the feed is read without a NOTIFY.
    var pollInterval: Duration = .seconds(1)
    /// `BANQUET_REALTIME_RETENTION_S` (default 3600): how long feed rows are kept. A daemon further
    /// behind than this tells its clients to resubscribe.
    var retention: Duration = .seconds(3600)
    var pruneInterval: Duration = .seconds(60)

    init() {}

    init(_ environment: BanquetCore.Environment) throws {
        pollInterval = .milliseconds(try environment.int("BANQUET_REALTIME_POLL_MS", default: 1000))
        retention = .seconds(try environment.int("BANQUET_REALTIME_RETENTION_S", default: 3600))
    }
}
