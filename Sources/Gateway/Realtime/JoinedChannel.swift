import Foundation

/// Who a channel acts as: the verified access token of its join (or of its latest `access_token`).
struct ChannelIdentity: Sendable {
    let role: String
    let userID: UUID?
    /// The token's payload as the client sent it: `request.jwt.claims` when reading as this subscriber.
    let claimsJSON: String
    let expiresAt: Int
}

/// One joined channel of one socket, as the hub indexes it.
struct JoinedChannel: Sendable {
    let key: Int
    /// As the client names it: `realtime:<sub-topic>`.
    let topic: String
    let subTopic: String
    let joinRef: String?
    let isPrivate: Bool
    let outbox: RealtimeOutbox
    var identity: ChannelIdentity
    var bindings: [PostgresChangesBinding]
    /// The organizations the subscriber belongs to (read at join, re-read when a membership of
    /// theirs changes): which delivery groups the channel is in.
    var organizations: Set<UUID>
    var broadcastSelf: Bool
    var broadcastAck: Bool
    var canSend: Bool
    var presenceKey: String

    /// Private and public channels of one name are separate, as on Supabase.
    var room: String { (isPrivate ? "private:" : "public:") + topic }

    func send(_ text: String) { outbox.send(text) }
}
