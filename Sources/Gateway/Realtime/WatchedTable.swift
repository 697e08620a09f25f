import Foundation

/// The tables whose changes `/realtime/v1` delivers (schema `app`), and who may see a change of
/// each: the rule below is read off the table's SELECT policy (docs/realtime.md quotes them).
enum WatchedTable: String, CaseIterable, Sendable {
    case proposals, bookings, payments, inquiries, conversations, messages, notifications

    static let schema = "app"

    /// Who a change of this table is visible to, decided by the feed row alone.
    ///
    /// - Six tables: `organization_id in (select app.user_organization_ids())` — every member of
    ///   the row's organization, whatever their role, so one group per organization.
    /// - notifications: `… and (user_id is null or user_id = auth.uid())` — the organization's
    ///   members when `user_id` is null, else that one member: a group per organization, or per
    ///   addressed user.
    func audience(organization: UUID, addressedUser: UUID?) -> Audience {
        if self == .notifications, let addressedUser { return .member(organization: organization, user: addressedUser) }
        return .organization(organization)
    }
}

/// The subscribers one change may reach, and the group whose one RLS query decides it.
enum Audience: Hashable, Sendable {
    /// Every member of the organization.
    case organization(UUID)
    /// One member of the organization.
    case member(organization: UUID, user: UUID)
}
