import BanquetCore
import Foundation
import NIOConcurrencyHelpers

/// Every joined channel of this process, indexed for the three ways messages fan out:
/// by room (broadcast, presence), by organization (postgres_changes delivery groups) and by user
/// (re-reading memberships). One lock; nothing slow happens while it is held.
final class RealtimeHub: Sendable {
    private struct PresenceEntry {
        let key: String
        /// The meta object as sent to clients, `phx_ref` included.
        let metaJSON: String
    }

    private struct State {
        var nextKey = 1
        var nextPresenceRef = 1
        var sockets = 0
        var channels: [Int: JoinedChannel] = [:]
        var rooms: [String: Set<Int>] = [:]
        var byOrganization: [UUID: Set<Int>] = [:]
        var service: Set<Int> = []
        var byUser: [UUID: Set<Int>] = [:]
        var presence: [String: [Int: PresenceEntry]] = [:]

        mutating func index(_ channel: JoinedChannel) {
            rooms[channel.room, default: []].insert(channel.key)
            if let user = channel.identity.userID { byUser[user, default: []].insert(channel.key) }
            guard !channel.bindings.isEmpty else { return }
            switch channel.identity.role {
            case "service_role": service.insert(channel.key)
            case "authenticated":
                for organization in channel.organizations { byOrganization[organization, default: []].insert(channel.key) }
            default: break  // anon reads none of the watched tables (no policy names it)
            }
        }

        mutating func unindex(_ channel: JoinedChannel) {
            Self.remove(channel.key, from: &rooms, at: channel.room)
            if let user = channel.identity.userID { Self.remove(channel.key, from: &byUser, at: user) }
            service.remove(channel.key)
            for organization in channel.organizations { Self.remove(channel.key, from: &byOrganization, at: organization) }
        }

        static func remove<K: Hashable>(_ key: Int, from index: inout [K: Set<Int>], at slot: K) {
            index[slot]?.remove(key)
            if index[slot]?.isEmpty == true { index[slot] = nil }
        }

        func publishGauges() {
            RealtimeMetrics.subscribers(channels: channels.count, postgresSubscribers: channels.values.filter { !$0.bindings.isEmpty }.count,
                                        sockets: sockets)
        }
    }

    private let state = NIOLockedValueBox(State())

    // MARK: Sockets and channels

    func socketOpened() { state.withLockedValue { $0.sockets += 1; $0.publishGauges() } }
    /// For `/health/all`.
    var counts: (sockets: Int, channels: Int) { state.withLockedValue { ($0.sockets, $0.channels.count) } }
    func socketClosed() { state.withLockedValue { $0.sockets -= 1; $0.publishGauges() } }

    func newKey() -> Int {
        state.withLockedValue { state in
            defer { state.nextKey += 1 }
            return state.nextKey
        }
    }

    func add(_ channel: JoinedChannel) {
        state.withLockedValue { state in
            state.channels[channel.key] = channel
            state.index(channel)
            state.publishGauges()
        }
    }

    func channel(_ key: Int) -> JoinedChannel? {
        state.withLockedValue { $0.channels[key] }
    }

    /// Changes a channel (its identity, organizations) and re-indexes it.
    func update(_ key: Int, _ change: (inout JoinedChannel) -> Void) {
        state.withLockedValue { state in
            guard var channel = state.channels[key] else { return }
            state.unindex(channel)
            change(&channel)
            state.channels[key] = channel
            state.index(channel)
        }
    }

    /// Removes a channel; its tracked presence leaves (the room is told).
    func remove(_ key: Int) {
        let leave: (JoinedChannel, String)? = state.withLockedValue { state in
            guard let channel = state.channels.removeValue(forKey: key) else { return nil }
            state.unindex(channel)
            state.publishGauges()
            let left = state.presence[channel.room]?.removeValue(forKey: key)
            return left.map { (channel, Self.diff(joins: [], leaves: [($0.key, $0.metaJSON)])) }
        }
        if let leave { sendToRoom(leave.0.room, topic: leave.0.topic, event: "presence_diff", payload: leave.1) }
    }

    // MARK: postgres_changes

    /// The channels in an organization's delivery group (subscribers who are its members).
    func members(of organization: UUID) -> [JoinedChannel] {
        state.withLockedValue { state in (state.byOrganization[organization] ?? []).compactMap { state.channels[$0] } }
    }

    func serviceChannels() -> [JoinedChannel] {
        state.withLockedValue { state in state.service.compactMap { state.channels[$0] } }
    }

    func channels(ofUser user: UUID) -> [JoinedChannel] {
        state.withLockedValue { state in (state.byUser[user] ?? []).compactMap { state.channels[$0] } }
    }

    /// Every channel with postgres_changes bindings (told to resubscribe after a feed gap).
    func postgresChannels() -> [JoinedChannel] {
        state.withLockedValue { state in state.channels.values.filter { !$0.bindings.isEmpty } }
    }

    // MARK: Broadcast

    /// Relays a broadcast to the room: every other channel, and the sender too if it asked for `self`.
    func broadcast(from sender: JoinedChannel, payload: String) {
        let recipients = state.withLockedValue { state in
            (state.rooms[sender.room] ?? []).compactMap { key in key == sender.key && !sender.broadcastSelf ? nil : state.channels[key] }
        }
        for channel in recipients {
            channel.send(PhoenixFrame.push(topic: channel.topic, event: "broadcast", payload: payload, joinRef: channel.joinRef))
        }
    }

    // MARK: Presence

    /// The room's presence as `presence_state` sends it: `{key: {"metas": [{phx_ref, …}]}}`.
    func presenceState(room: String) -> String {
        let entries = state.withLockedValue { Array(($0.presence[room] ?? [:]).values) }
        return Self.state(entries.map { ($0.key, $0.metaJSON) })
    }

    /// Tracks (or re-tracks) the channel's presence with `meta`; the room gets the diff.
    func track(_ channel: JoinedChannel, meta: [String: JSONValue]) {
        let diff: String = state.withLockedValue { state in
            let ref = "r\(state.nextPresenceRef)"
            state.nextPresenceRef += 1
            var object = meta
            object["phx_ref"] = .string(ref)
            let entry = PresenceEntry(key: channel.presenceKey, metaJSON: JSONValue.object(object).jsonText)
            let previous = state.presence[channel.room, default: [:]].updateValue(entry, forKey: channel.key)
            return Self.diff(joins: [(entry.key, entry.metaJSON)], leaves: previous.map { [($0.key, $0.metaJSON)] } ?? [])
        }
        sendToRoom(channel.room, topic: channel.topic, event: "presence_diff", payload: diff)
    }

    func untrack(_ channel: JoinedChannel) {
        let left = state.withLockedValue { $0.presence[channel.room]?.removeValue(forKey: channel.key) }
        if let left {
            sendToRoom(channel.room, topic: channel.topic, event: "presence_diff", payload: Self.diff(joins: [], leaves: [(left.key, left.metaJSON)]))
        }
    }

    private func sendToRoom(_ room: String, topic: String, event: String, payload: String) {
        let recipients = state.withLockedValue { state in (state.rooms[room] ?? []).compactMap { state.channels[$0] } }
        for channel in recipients {
            channel.send(PhoenixFrame.push(topic: channel.topic, event: event, payload: payload, joinRef: channel.joinRef))
        }
    }

    private static func state(_ entries: [(key: String, meta: String)]) -> String {
        var grouped: [String: [String]] = [:]
        var order: [String] = []
        for (key, meta) in entries {
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(meta)
        }
        return "{" + order.map { "\(JSONText.quoted($0)):{\"metas\":[\(grouped[$0]!.joined(separator: ","))]}" }.joined(separator: ",") + "}"
    }

    private static func diff(joins: [(key: String, meta: String)], leaves: [(key: String, meta: String)]) -> String {
        "{\"joins\":\(state(joins)),\"leaves\":\(state(leaves))}"
    }
}
