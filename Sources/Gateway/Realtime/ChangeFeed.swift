import BanquetCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Reads `changefeed.changes` and hands new rows to `ChangeDelivery`, in feed order.
///
/// NOTIFY realtime (sent by the writing transaction's statement trigger) wakes it; it also polls,
/// and reads everything after its last id whenever the LISTEN connection comes back, so a change
/// committed while it was disconnected is still delivered. If changes it never read were pruned
/// meanwhile, every postgres_changes channel gets a `system` error and the client resubscribes.
/// It also prunes the feed (changefeed.prune_changes) every minute.
struct ChangeFeed: Service {
    static let channel = "realtime"
    static let batchSize = 1000

    let client: PostgresClient
    let url: DatabaseURL
    let delivery: ChangeDelivery
    let catalog: ColumnCatalog
    let hub: RealtimeHub
    let configuration: RealtimeConfiguration
    let status: RealtimeFeedStatus
    let logger: Logger

    func run() async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let listener = PostgresListener(url: url, channels: [Self.channel, SchemaCacheService.channel], applicationName: "banquet-realtime", logger: logger)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await listener.run { event in
                        switch event {
                        case .connected(let reconnects):
                            status.listening(true)
                            if reconnects > 0 { logger.info("realtime feed listener reconnected; catching up", metadata: ["reconnects": "\(reconnects)"]) }
                            _ = try? await catalog.reload()
                            wake.yield()
                        case .notification(let channel, _) where channel == SchemaCacheService.channel:
                            // `banquet migrate` (and PostgREST's convention) says the schema changed.
                            _ = try? await catalog.reload()
                        case .notification:
                            wake.yield()
                        case .disconnected(let error, _):
                            status.listening(false)
                            logger.warning("realtime feed listener disconnected", metadata: ["error": "\(error)"])
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.pollInterval)
                        wake.yield()
                    }
                }
                group.addTask {
                    var cursor: FeedCursor?
                    var failures = 0
                    var lastPrune = ContinuousClock.now
                    for await _ in wakes {
                        do {
                            if cursor == nil { cursor = FeedCursor(last: try await newestID()) }
                            try await drain(&cursor!, failures: &failures)
                            status.read(through: cursor!.last)
                        } catch {
                            logger.warning("realtime feed read failed", metadata: ["error": "\(DatabaseError.describe(error))"])
                        }
                        if ContinuousClock.now - lastPrune >= configuration.pruneInterval {
                            lastPrune = .now
                            await prune()
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        wake.finish()
    }

    private func newestID() async throws -> Int64 {
        let rows = try await client.realtimeQuery("select coalesce(max(c.id), 0)::int8 from changefeed.changes c", .maintenance, logger: logger)
        return try await rows.collect().first?.decode(Int64.self) ?? 0
    }

    /// Reads and delivers until the feed has nothing new. The position moves only once a batch is
    /// delivered, so a failed delivery is retried on the next wake-up; a batch that fails three
    /// times is skipped, and its subscribers are told to resubscribe rather than left waiting.
    private func drain(_ cursor: inout FeedCursor, failures: inout Int) async throws {
        while true {
            let before = cursor.last
            let fetch = try await fetch(after: cursor.last, holes: cursor.pendingHoles)
            if fetch.prunedThrough > before {
                // Rows after our position were deleted unread.
                logger.error("realtime feed gap: changes were pruned before delivery", metadata: ["last": "\(before)", "pruned_through": "\(fetch.prunedThrough)"])
                tellSubscribersToResubscribe()
                cursor = FeedCursor(last: max(fetch.prunedThrough, fetch.rows.last?.id ?? 0))
                continue
            }
            var next = cursor
            let fresh = next.advance(rows: fetch.rows, xmin: fetch.xmin, xmax: fetch.xmax)
            if !fresh.isEmpty {
                do {
                    try await delivery.deliver(fresh)
                    failures = 0
                } catch {
                    failures += 1
                    guard failures >= 3 else { throw error }
                    logger.error("realtime: skipping a batch that failed three times", metadata: [
                        "first": "\(fresh.first!.id)", "last": "\(fresh.last!.id)", "error": "\(DatabaseError.describe(error))"])
                    failures = 0
                    tellSubscribersToResubscribe()
                }
            }
            RealtimeMetrics.changes(fresh.count)
            cursor = next
            if fetch.rows.count < Self.batchSize { return }
        }
    }

    /// Changes were lost to this daemon: every postgres_changes channel gets a `system` error, on
    /// which the client rejoins (and the application re-reads what it shows).
    private func tellSubscribersToResubscribe() {
        RealtimeMetrics.gap()
        for channel in hub.postgresChannels() {
            channel.send(PhoenixFrame.system(topic: channel.topic, subTopic: channel.subTopic, extension: "postgres_changes", ok: false,
                                             message: "Realtime missed database changes (the server fell behind); resubscribe to receive new ones"))
        }
    }

    private struct Fetch {
        var rows: [FeedChange] = []
        var xmin: UInt64 = 0
        var xmax: UInt64 = 0
        var prunedThrough: Int64 = 0
    }

    private func fetch(after last: Int64, holes: [Int64]) async throws -> Fetch {
        // One statement: the rows, and the snapshot they were read in (FeedCursor explains why).
        let rows = try await client.realtimeQuery("""
            with snapshot as (
              select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, pg_snapshot_xmax(pg_current_snapshot())::text as xmax,
                     (select s.pruned_through from changefeed.state s) as pruned_through
            )
            select snapshot.xmin, snapshot.xmax, snapshot.pruned_through, c.id,
                   to_char(c.changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), c.table_name, c.op, c.organization_id, c.record_id, c.user_id, c.record::text
            from snapshot
            left join lateral (
              select * from changefeed.changes c where c.id > \(last) or c.id = any(\(holes)) order by c.id limit \(Self.batchSize)
            ) c on true
            order by c.id
            """, .fetch, logger: logger)
        var fetch = Fetch()
        for try await (xmin, xmax, pruned, id, at, table, op, organization, record, user, image)
            in rows.decode((String, String, Int64?, Int64?, String?, String?, String?, UUID?, UUID?, UUID?, String?).self) {
            fetch.xmin = UInt64(xmin) ?? 0
            fetch.xmax = UInt64(xmax) ?? 0
            fetch.prunedThrough = pruned ?? 0
            guard let id, let at, let table, let op, let event = PostgresChangesBinding.Event(rawValue: op), let organization else { continue }
            fetch.rows.append(FeedChange(id: id, commitTimestamp: at, table: table, op: event, organization: organization, recordID: record, user: user, image: image))
        }
        return fetch
    }

    private func prune() async {
        do {
            let keep = "\(Int(configuration.retention.components.seconds)) seconds"
            try await client.realtimeQuery("select changefeed.prune_changes(\(keep)::interval)", .maintenance, logger: logger)
        } catch {
            logger.warning("realtime feed prune failed", metadata: ["error": "\(DatabaseError.describe(error))"])
        }
    }
}
