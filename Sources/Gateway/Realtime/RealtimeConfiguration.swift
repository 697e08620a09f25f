import BanquetCore

/// Realtime settings (`.env.example` lists them).
struct RealtimeConfiguration: Sendable {
    /// `BANQUET_REALTIME_POLL_MS` (default 1000): how often the feed is read without a NOTIFY.
    var pollInterval: Duration = .seconds(1)
    /// `BANQUET_REALTIME_RETENTION_S` (default 3600): how long feed rows are kept. A daemon further
    /// behind than this tells its clients to resubscribe.
    var retention: Duration = .seconds(3600)
    var pruneInterval: Duration = .seconds(60)
    /// `BANQUET_REALTIME_DELIVERY`: `grouped` (default) reads each change once per delivery group;
    /// `per_subscriber` reads it once per subscriber, as Supabase's Postgres Changes checks RLS —
    /// kept only so `make bench-realtime` can measure the two side by side.
    var perSubscriberDelivery = false

    init(_ environment: BanquetCore.Environment) throws {
        let pollMilliseconds = try environment.int("BANQUET_REALTIME_POLL_MS", default: 1000)
        let retentionSeconds = try environment.int("BANQUET_REALTIME_RETENTION_S", default: 3600)
        guard pollMilliseconds >= 10 else { throw BanquetError.configuration("BANQUET_REALTIME_POLL_MS must be at least 10, got \(pollMilliseconds)") }
        // changefeed.prune_changes keeps at least a minute.
        guard retentionSeconds >= 60 else { throw BanquetError.configuration("BANQUET_REALTIME_RETENTION_S must be at least 60, got \(retentionSeconds)") }
        switch environment.optionalString("BANQUET_REALTIME_DELIVERY") ?? "grouped" {
        case "grouped": perSubscriberDelivery = false
        case "per_subscriber": perSubscriberDelivery = true
        case let other: throw BanquetError.configuration("BANQUET_REALTIME_DELIVERY must be grouped or per_subscriber, got \(other)")
        }
        pollInterval = .milliseconds(pollMilliseconds)
        retention = .seconds(retentionSeconds)
    }
}
