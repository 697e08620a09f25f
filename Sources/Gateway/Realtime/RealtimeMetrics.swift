import Metrics

/// What `/metrics` shows of realtime. `realtime_sql_statements_total` counts every statement the
/// realtime path sends, by purpose, so a test can prove that the statements per change do not
/// grow with the number of subscribers (docs/realtime.md, "Cost per change").
enum RealtimeMetrics {
    enum Purpose: String {
        /// Reading new feed rows (one per batch of changes).
        case fetch
        /// Reading changed rows under RLS, per delivery group (begin, per group: claims + select, rollback).
        case deliver
        /// Reading a subscriber's memberships at join, on a token refresh, after a membership change.
        case membership
        /// Private-channel authorization at join and on a token refresh.
        case authorize
        /// Column catalogue, pruning, feed position.
        case maintenance
    }

    static func statements(_ purpose: Purpose, _ count: Int = 1) {
        Counter(label: "realtime_sql_statements_total", dimensions: [("purpose", purpose.rawValue)]).increment(by: count)
    }

    /// Feed rows read (changes of watched tables and memberships).
    static func changes(_ count: Int) {
        Counter(label: "realtime_changes_total").increment(by: count)
    }

    /// postgres_changes messages written to sockets.
    static func delivered(_ count: Int) {
        Counter(label: "realtime_messages_delivered_total", dimensions: [("event", "postgres_changes")]).increment(by: count)
    }

    /// Changes this daemon could not deliver (pruned before it read them, or a batch whose delivery
    /// failed three times); its postgres_changes clients were told to resubscribe.
    static func gap() {
        Counter(label: "realtime_feed_gaps_total").increment()
    }

    static func subscribers(channels: Int, postgresSubscribers: Int, sockets: Int) {
        Gauge(label: "realtime_channels").record(channels)
        Gauge(label: "realtime_postgres_changes_subscribers").record(postgresSubscribers)
        Gauge(label: "realtime_sockets").record(sockets)
    }
}
