import Foundation

/// One row of `changefeed.changes`: which row of which table changed, in which organization.
struct FeedChange: Sendable {
    let id: Int64
    /// `changed_at` as Realtime's `commit_timestamp` text (UTC, microseconds).
    let commitTimestamp: String
    let table: String
    let op: PostgresChangesBinding.Event
    let organization: UUID
    let recordID: UUID?
    /// The one user the row is meant for (notifications.user_id, a membership's user).
    let user: UUID?
    /// The row as the change left it (JSON text), for INSERT and UPDATE; nil for DELETE,
    /// memberships, and feed rows written before migration 20261129012000.
    let image: String?

    var isMembership: Bool { table == "memberships" }
}
