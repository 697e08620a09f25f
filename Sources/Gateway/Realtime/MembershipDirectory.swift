import Foundation
import Logging
import PostgresNIO

/// The organizations a subscriber belongs to, which decide the delivery groups their channel is
/// in. Read at join, on a token refresh and when the feed reports a membership change of theirs —
/// never per change.
struct MembershipDirectory: Sendable {
    let client: PostgresClient
    let logger: Logger

    func organizations(of user: UUID?) async throws -> Set<UUID> {
        guard let user else { return [] }
        let rows = try await client.realtimeQuery("select m.organization_id from app.memberships m where m.user_id = \(user)", .membership, logger: logger)
        var organizations = Set<UUID>()
        for try await organization in rows.decode(UUID.self) { organizations.insert(organization) }
        return organizations
    }
}
