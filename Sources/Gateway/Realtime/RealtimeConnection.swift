import BanquetCore
import Foundation
import Logging

/// One client socket: the Phoenix channels it joined and what each message does. Messages of one
/// socket are handled one at a time, in order (an actor); fan-out to other sockets goes through
/// the hub and their outboxes.
actor RealtimeConnection {
    let services: RealtimeServices
    let outbox: RealtimeOutbox
    /// The socket's `apikey`, the token of a join that carries no `access_token`.
    let apiKey: String
    /// Client topic → hub key of the joined channel.
    private var joined: [String: Int] = [:]

    init(services: RealtimeServices, outbox: RealtimeOutbox, apiKey: String) {
        self.services = services
        self.outbox = outbox
        self.apiKey = apiKey
    }

    private var hub: RealtimeHub { services.hub }

    func handle(_ text: String) async {
        guard let message = try? JSONDecoder().decode(PhoenixMessage.self, from: Data(text.utf8)) else {
            services.logger.debug("realtime: ignored a frame that is not a Phoenix message")
            return
        }
        switch message.event {
        case "heartbeat" where message.topic == "phoenix":
            outbox.send(PhoenixFrame.reply(topic: "phoenix", ref: message.ref, joinRef: nil, ok: true))
        case "phx_join":
            await join(message)
        default:
            guard let key = joined[message.topic], let channel = hub.channel(key) else {
                outbox.send(PhoenixFrame.reply(topic: message.topic, ref: message.ref, joinRef: message.joinRef, ok: false,
                                               response: PhoenixFrame.reason("unmatched topic")))
                return
            }
            switch message.event {
            case "phx_leave":
                hub.remove(key)
                joined[message.topic] = nil
                reply(message, ok: true)
            case "access_token":
                await refresh(channel, message)
            case "broadcast":
                broadcast(channel, message)
            case "presence":
                presence(channel, message)
            default:
                reply(message, ok: false, response: PhoenixFrame.reason("unknown event \(message.event)"))
            }
        }
    }

    // MARK: Join

    private func join(_ message: PhoenixMessage) async {
        if let previous = joined.removeValue(forKey: message.topic) { hub.remove(previous) }
        let config = message.payload?["config"]
        let token = message.payload?["access_token"]?.string ?? apiKey
        let identity: ChannelIdentity
        do {
            identity = try await services.identity(token)
        } catch {
            refuse(message, extension: "system", reason: error.message)
            return
        }
        let isPrivate = config?["private"] == .bool(true)
        var permissions = ChannelAuthorizer.Permissions(read: true, write: true)
        if isPrivate {
            do {
                permissions = try await services.authorizer.permissions(for: identity, subTopic: message.subTopic)
            } catch {
                services.logger.error("realtime: channel authorization failed", metadata: ["error": "\(DatabaseError.describe(error))"])
                refuse(message, extension: "system", reason: "Unable to check your permissions for this channel; try again")
                return
            }
            guard permissions.read else {
                refuse(message, extension: "system", reason: "Unauthorized: You do not have permissions to read from this Channel topic: \(message.subTopic)")
                return
            }
        }
        var bindings: [PostgresChangesBinding] = []
        let requested = config?["postgres_changes"]?.array ?? []
        if !requested.isEmpty {
            do {
                let columns = try await services.catalog.snapshot()
                for raw in requested { bindings.append(try PostgresChangesBinding.parse(raw, id: hub.newKey(), columns: columns)) }
            } catch let error as BindingError {
                refuse(message, extension: "postgres_changes", reason: error.message)
                return
            } catch {
                services.logger.error("realtime: column catalogue unavailable", metadata: ["error": "\(DatabaseError.describe(error))"])
                refuse(message, extension: "postgres_changes", reason: "Unable to subscribe to changes; try again")
                return
            }
        }
        var organizations = Set<UUID>()
        if !bindings.isEmpty, identity.role == "authenticated" {
            do {
                organizations = try await services.memberships.organizations(of: identity.userID)
            } catch {
                services.logger.error("realtime: memberships unavailable", metadata: ["error": "\(DatabaseError.describe(error))"])
                refuse(message, extension: "postgres_changes", reason: "Unable to subscribe to changes; try again")
                return
            }
        }
        let presenceKey = config?["presence"]?["key"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        let channel = JoinedChannel(
            key: hub.newKey(), topic: message.topic, subTopic: message.subTopic, joinRef: message.joinRef ?? message.ref, isPrivate: isPrivate,
            outbox: outbox, identity: identity, bindings: bindings, organizations: organizations,
            broadcastSelf: config?["broadcast"]?["self"] == .bool(true), broadcastAck: config?["broadcast"]?["ack"] == .bool(true),
            canSend: permissions.write, presenceKey: presenceKey)
        // The reply goes out before the channel can receive anything, so events never precede it.
        reply(message, ok: true, response: "{\"postgres_changes\":[\(bindings.map(\.echo).joined(separator: ","))]}")
        if !bindings.isEmpty {
            outbox.send(PhoenixFrame.system(topic: message.topic, subTopic: message.subTopic, extension: "postgres_changes", ok: true,
                                            message: "Subscribed to PostgreSQL"))
        }
        hub.add(channel)
        joined[message.topic] = channel.key
        if config?["presence"]?["enabled"] == .bool(true) {
            outbox.send(PhoenixFrame.push(topic: message.topic, event: "presence_state", payload: hub.presenceState(room: channel.room), joinRef: channel.joinRef))
        }
    }

    /// A refused join: the error reply, then the `system` error the client reports as CHANNEL_ERROR.
    private func refuse(_ message: PhoenixMessage, extension: String, reason: String) {
        reply(message, ok: false, response: PhoenixFrame.reason(reason))
        outbox.send(PhoenixFrame.system(topic: message.topic, subTopic: message.subTopic, extension: `extension`, ok: false, message: reason))
    }

    // MARK: Token refresh and expiry

    /// `access_token`: a fresh token replaces the channel's identity (memberships and private
    /// permissions are evaluated again); a bad one closes the channel.
    private func refresh(_ channel: JoinedChannel, _ message: PhoenixMessage) async {
        guard let token = message.payload?["access_token"]?.string else {
            reply(message, ok: false, response: PhoenixFrame.reason("access_token missing"))
            return
        }
        do {
            let identity = try await services.identity(token)
            var organizations = channel.organizations
            if !channel.bindings.isEmpty, identity.userID != channel.identity.userID || identity.role != channel.identity.role {
                organizations = identity.role == "authenticated" ? try await services.memberships.organizations(of: identity.userID) : []
            }
            var canSend = channel.canSend
            if channel.isPrivate {
                let permissions = try await services.authorizer.permissions(for: identity, subTopic: channel.subTopic)
                guard permissions.read else {
                    close(channel, reason: "Unauthorized: You do not have permissions to read from this Channel topic: \(channel.subTopic)")
                    return
                }
                canSend = permissions.write
            }
            hub.update(channel.key) { updated in
                updated.identity = identity
                updated.organizations = organizations
                updated.canSend = canSend
            }
            reply(message, ok: true)
        } catch let error as RealtimeTokenError {
            close(channel, reason: error.message)
        } catch {
            services.logger.error("realtime: token refresh failed", metadata: ["error": "\(DatabaseError.describe(error))"])
            reply(message, ok: false, response: PhoenixFrame.reason("Unable to refresh the token; try again"))
        }
    }

    /// Closes every channel whose token has expired, as Realtime does: a `system` error, then `phx_close`.
    func expireChannels(now: Int) {
        for (_, key) in joined {
            guard let channel = hub.channel(key), channel.identity.expiresAt <= now else { continue }
            close(channel, reason: "Token has expired \(now - channel.identity.expiresAt) seconds ago")
        }
    }

    private func close(_ channel: JoinedChannel, reason: String) {
        outbox.send(PhoenixFrame.system(topic: channel.topic, subTopic: channel.subTopic, extension: "system", ok: false, message: reason))
        outbox.send(PhoenixFrame.push(topic: channel.topic, event: "phx_close", payload: "{}", joinRef: channel.joinRef))
        hub.remove(channel.key)
        joined[channel.topic] = nil
    }

    /// The socket closed: its channels leave (presence leaves are broadcast).
    func closed() {
        for key in joined.values { hub.remove(key) }
        joined = [:]
    }

    // MARK: Broadcast and presence

    private func broadcast(_ channel: JoinedChannel, _ message: PhoenixMessage) {
        guard let payload = message.payload, case .object = payload else {
            reply(message, ok: false, response: PhoenixFrame.reason("a broadcast needs a payload object"))
            return
        }
        guard channel.canSend else {
            if channel.broadcastAck {
                reply(message, ok: false, response: PhoenixFrame.reason("Unauthorized: You do not have permissions to write to this Channel topic: \(channel.subTopic)"))
            }
            return
        }
        hub.broadcast(from: channel, payload: payload.jsonText)
        if channel.broadcastAck { reply(message, ok: true) }
    }

    private func presence(_ channel: JoinedChannel, _ message: PhoenixMessage) {
        guard channel.canSend else {
            reply(message, ok: false, response: PhoenixFrame.reason("Unauthorized: You do not have permissions to track presence on this Channel topic: \(channel.subTopic)"))
            return
        }
        switch message.payload?["event"]?.string {
        case "track":
            guard case .object(let meta)? = message.payload?["payload"] else {
                reply(message, ok: false, response: PhoenixFrame.reason("track needs a payload object"))
                return
            }
            hub.track(channel, meta: meta)
            reply(message, ok: true)
        case "untrack":
            hub.untrack(channel)
            reply(message, ok: true)
        default:
            reply(message, ok: false, response: PhoenixFrame.reason("presence events are track and untrack"))
        }
    }

    private func reply(_ message: PhoenixMessage, ok: Bool, response: String = "{}") {
        outbox.send(PhoenixFrame.reply(topic: message.topic, ref: message.ref, joinRef: message.joinRef, ok: ok, response: response))
    }
}
