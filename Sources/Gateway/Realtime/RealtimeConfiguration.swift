import BanquetCore

/// Realtime settings (`.env.example` lists them).
struct RealtimeConfiguration: Sendable {
    /// `BANQUET_REALTIME_POLL_MS` (default 1000): how often the feed is read without a NOTIFY.
    var pollInterval: Duration = .seconds(1)
    /// `BANQUET_REALTIME_RETENTION_S` (default 3600): how long feed rows are kept. A daemon further
    /// behind than this tells its clients to resubscribe.
    var retention: Duration = .seconds(3600)
    var pruneInterval: Duration = .seconds(60)

    init(_ environment: BanquetCore.Environment) throws {
        let pollMilliseconds = try environment.int("BANQUET_REALTIME_POLL_MS", default: 1000)
        let retentionSeconds = try environment.int("BANQUET_REALTIME_RETENTION_S", default: 3600)
        guard pollMilliseconds >= 10 else { throw BanquetError.configuration("BANQUET_REALTIME_POLL_MS must be at least 10, got \(pollMilliseconds)") }
        // changefeed.prune_changes keeps at least a minute.
        guard retentionSeconds >= 60 else { throw BanquetError.configuration("BANQUET_REALTIME_RETENTION_S must be at least 60, got \(retentionSeconds)") }
        pollInterval = .milliseconds(pollMilliseconds)
        retention = .seconds(retentionSeconds)
    }
}
