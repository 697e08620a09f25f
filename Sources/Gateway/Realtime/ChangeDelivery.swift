import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// Delivers a batch of feed changes to the channels allowed to see them, at a cost that depends on
/// the delivery groups the batch touches, not on the number of subscribers (docs/realtime.md):
///
/// 1. Membership changes first: the affected users' organizations are read again.
/// 2. Each change's audience (its organization, or one member of it) is a delivery group; the
///    group's members are the channels indexed under that organization.
/// 3. One read-only transaction: per group, become one representative member (role and
///    `request.jwt.claims`, exactly as a request does) and read the ids of every changed row of the
///    batch for that group with one statement, under the tables' real RLS. A row returned is the
///    permission; a row not returned is sent to nobody in the group.
/// 4. Every channel of the group whose binding (event, table, filter) matches gets one message
///    carrying the feed's image of the row — the row as that change left it, so two quick updates
///    arrive as two states. (A feed row from before the images existed is sent as read in step 3.)
struct ChangeDelivery: Sendable {
    let client: PostgresClient
    let hub: RealtimeHub
    let memberships: MembershipDirectory
    let catalog: ColumnCatalog
    /// The comparison mode (`BANQUET_REALTIME_DELIVERY=per_subscriber`): every subscriber is its
    /// own group, so a change costs one RLS read per subscriber — Supabase's way, for the benchmark.
    var perSubscriber = false
    let logger: Logger

    private enum Group: Hashable {
        case audience(Audience)
        /// service_role subscribers: no RLS applies to them.
        case service
        /// One subscriber alone (the per-subscriber comparison mode).
        case subscriber(Int)
    }

    /// What one group's statement reads of one table: the ids whose visibility decides delivery,
    /// and among them those whose row must be read too (feed rows without an image).
    private struct TableRead {
        var ids: [UUID] = []
        var rowsNeeded: [UUID] = []
    }

    private struct Plan {
        var representative: [Group: ChannelIdentity] = [:]
        var reads: [Group: [WatchedTable: TableRead]] = [:]
        var order: [Group] = []

        mutating func add(_ group: Group, representative identity: ChannelIdentity, change: FeedChange, table: WatchedTable) {
            if representative[group] == nil {
                representative[group] = identity
                order.append(group)
            }
            // A DELETE needs no read: the row is gone, and its feed row's audience decides.
            guard change.op != .delete, let record = change.recordID else { return }
            reads[group, default: [:]][table, default: TableRead()].ids.append(record)
            if change.image == nil { reads[group]![table]!.rowsNeeded.append(record) }
        }
    }

    func deliver(_ changes: [FeedChange]) async throws {
        // 1. Memberships.
        let movedUsers = Set(changes.filter(\.isMembership).compactMap(\.user))
        for user in movedUsers {
            let channels = hub.channels(ofUser: user)
            guard !channels.isEmpty else { continue }
            let organizations = try await memberships.organizations(of: user)
            for channel in channels { hub.update(channel.key) { $0.organizations = organizations } }
        }

        // 2. Groups and their candidates.
        var plan = Plan()
        var membersByOrganization: [UUID: [JoinedChannel]] = [:]
        let service = hub.serviceChannels()
        var routed: [(change: FeedChange, table: WatchedTable, targets: [(Group, [JoinedChannel])])] = []
        for change in changes where !change.isMembership {
            guard let table = WatchedTable(rawValue: change.table), change.recordID != nil else { continue }
            let audience = table.audience(organization: change.organization, addressedUser: change.user)
            if membersByOrganization[change.organization] == nil { membersByOrganization[change.organization] = hub.members(of: change.organization) }
            var members = membersByOrganization[change.organization]!
            if case .member(_, let user) = audience { members = members.filter { $0.identity.userID == user } }
            var targets: [(Group, [JoinedChannel])] = []
            for (group, channels) in [(Group.audience(audience), members), (.service, service)] {
                let interested = channels.filter { $0.bindings.contains { $0.matches(table: table, op: change.op) } }
                guard let first = interested.first else { continue }
                if perSubscriber, case .audience = group {
                    for channel in interested {
                        plan.add(.subscriber(channel.key), representative: channel.identity, change: change, table: table)
                        targets.append((.subscriber(channel.key), [channel]))
                    }
                    continue
                }
                plan.add(group, representative: first.identity, change: change, table: table)
                targets.append((group, interested))
            }
            if !targets.isEmpty { routed.append((change, table, targets)) }
        }
        guard !routed.isEmpty else { return }

        // 3. Visibility, read once per group under RLS.
        let visible = try await readVisibility(plan)

        // 4. Fan-out, in feed order.
        let columns = try await catalog.snapshot()
        var sent = 0
        for (change, table, targets) in routed {
            for (group, channels) in targets {
                var recordJSON: String?
                if change.op != .delete {
                    guard let row = visible[group]?[change.recordID!], let json = change.image ?? row else { continue }
                    recordJSON = json
                }
                let data = Self.data(change, table: table, record: recordJSON, columns: columns.json[table] ?? "[]")
                let row = Self.filterRow(change, record: recordJSON, needed: channels.contains { $0.bindings.contains { $0.filter != nil } })
                for channel in channels {
                    let ids = channel.bindings.filter { binding in
                        binding.matches(table: table, op: change.op) && (binding.filter.map { row.map($0.passes) ?? false } ?? true)
                    }.map(\.id)
                    guard !ids.isEmpty else { continue }
                    channel.send(PhoenixFrame.push(topic: channel.topic, event: "postgres_changes",
                                                   payload: "{\"ids\":[\(ids.map(String.init).joined(separator: ","))],\"data\":\(data)}",
                                                   joinRef: channel.joinRef))
                    sent += 1
                }
            }
        }
        RealtimeMetrics.delivered(sent)
    }

    /// Group → the record ids its representative may read → the row as JSON text when it was
    /// needed (no image in the feed), else nil. An id missing from a group's map is not visible to it.
    private func readVisibility(_ plan: Plan) async throws -> [Group: [UUID: String?]] {
        let groups = plan.order.filter { plan.reads[$0]?.isEmpty == false }
        guard !groups.isEmpty else { return [:] }
        return try await client.withConnection { connection in
            try await connection.realtimeQuery("begin isolation level read committed read only", .deliver, logger: logger)
            do {
                var visible: [Group: [UUID: String?]] = [:]
                for group in groups {
                    let identity = plan.representative[group]!
                    try await connection.realtimeQuery("""
                        select set_config('role', \(identity.role), true), set_config('request.jwt.claims', \(identity.claimsJSON), true)
                        """, .deliver, logger: logger)
                    var binds = PostgresBindings()
                    var parts: [String] = []
                    for (table, read) in plan.reads[group]!.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                        binds.append(read.ids)
                        binds.append(read.rowsNeeded)
                        // Table names come from WatchedTable, never from a client.
                        let ids = binds.count - 1, needed = binds.count
                        parts.append("select r.id, case when r.id = any($\(needed)) then to_jsonb(r)::text end "
                            + "from \(WatchedTable.schema).\(table.rawValue) r where r.id = any($\(ids))")
                    }
                    let rows = try await connection.realtimeQuery(PostgresQuery(unsafeSQL: parts.joined(separator: " union all "), binds: binds),
                                                                  .deliver, logger: logger)
                    var found: [UUID: String?] = [:]
                    for try await (id, json) in rows.decode((UUID, String?).self) { found[id] = json }
                    visible[group] = found
                }
                try await connection.realtimeQuery("rollback", .deliver, logger: logger)
                return visible
            } catch {
                _ = try? await connection.query("rollback", logger: logger)
                throw error
            }
        }
    }

    /// The event's `data`, as Realtime sends it: schema, table, commit_timestamp, type, columns,
    /// errors, record (not for DELETE) and old_record (UPDATE, DELETE: the primary key only, as
    /// without REPLICA IDENTITY FULL).
    static func data(_ change: FeedChange, table: WatchedTable, record: String?, columns: String) -> String {
        var text = "{\"schema\":\"\(WatchedTable.schema)\",\"table\":\"\(table.rawValue)\",\"commit_timestamp\":\(JSONText.quoted(change.commitTimestamp)),"
            + "\"type\":\"\(change.op.rawValue)\",\"eventType\":\"\(change.op.rawValue)\",\"columns\":\(columns),\"errors\":null"
        if let record { text += ",\"record\":\(record)" }
        if change.op != .insert, let id = change.recordID { text += ",\"old_record\":{\"id\":\"\(id.uuidString.lowercased())\"}" }
        return text + "}"
    }

    /// The row filters are evaluated on: the record, or for a DELETE the old record's key.
    private static func filterRow(_ change: FeedChange, record: String?, needed: Bool) -> [String: JSONValue]? {
        guard needed else { return nil }
        if let record { return try? JSONDecoder().decode([String: JSONValue].self, from: Data(record.utf8)) }
        return change.recordID.map { ["id": .string($0.uuidString.lowercased())] }
    }
}
