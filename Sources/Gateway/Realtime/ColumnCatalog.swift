import BanquetCore
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The watched tables' columns, read from the catalogue: filters are checked against them and each
/// `postgres_changes` event lists them (`columns: [{name, type}]`), as Realtime does.
/// Loaded on first use, again on `NOTIFY pgrst` (sent by `banquet migrate`, the schema cache's
/// signal too) and whenever the feed's listener reconnects.
final class ColumnCatalog: Sendable {
    struct Column: Sendable {
        let name: String
        let type: String
    }

    struct Snapshot: Sendable {
        var byTable: [WatchedTable: [Column]] = [:]
        /// `[{"name":…,"type":…},…]` per table, ready to splice into events.
        var json: [WatchedTable: String] = [:]

        func columns(of table: WatchedTable) -> [Column] { byTable[table] ?? [] }
    }

    private let client: PostgresClient
    private let logger: Logger
    private let loaded = NIOLockedValueBox<Snapshot?>(nil)

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func snapshot() async throws -> Snapshot {
        if let snapshot = loaded.withLockedValue({ $0 }) { return snapshot }
        return try await reload()
    }

    @discardableResult
    func reload() async throws -> Snapshot {
        RealtimeMetrics.statements(.maintenance)
        let rows = try await client.query("""
            select c.table_name::text, c.column_name::text, c.udt_name::text
            from information_schema.columns c
            where c.table_schema::text = \(WatchedTable.schema) and c.table_name::text = any(\(WatchedTable.allCases.map(\.rawValue)))
            order by c.table_name, c.ordinal_position
            """, logger: logger)
        var snapshot = Snapshot()
        for try await (table, name, type) in rows.decode((String, String, String).self) {
            guard let watched = WatchedTable(rawValue: table) else { continue }
            snapshot.byTable[watched, default: []].append(Column(name: name, type: type))
        }
        for (table, columns) in snapshot.byTable {
            snapshot.json[table] = "[" + columns.map { "{\"name\":\(JSONText.quoted($0.name)),\"type\":\(JSONText.quoted($0.type))}" }
                .joined(separator: ",") + "]"
        }
        loaded.withLockedValue { $0 = snapshot }
        return snapshot
    }
}
