import Foundation
import PostgresNIO

/// The first vertical slice, seen from the database: a venue that wants email notifications,
/// and a guest submitting an inquiry through the public RPC as `anon`, the way the gateway would.
enum InquirySlice {
    struct Venue {
        let organizationID: UUID
        let venueID: UUID
        let notificationEmail: String
    }

    /// Inserts an organization and a venue as the superuser (test setup, not an API path).
    static func createVenue(in db: TestDatabase, notificationEmail: String = "events@harbour.example") async throws -> Venue {
        try await db.withConnection { conn in
            let rows = try await conn.query("""
                with org as (insert into app.organizations (name) values ('Harbour Group') returning id)
                insert into app.venues (organization_id, name, timezone, notification_email)
                select id, 'Harbour Room', 'Europe/Lisbon', \(notificationEmail) from org
                returning organization_id, id
                """, logger: TestDatabase.logger)
            for try await (org, venue) in rows.decode((UUID, UUID).self) {
                return Venue(organizationID: org, venueID: venue, notificationEmail: notificationEmail)
            }
            throw SliceError.noRow
        }
    }

    /// Calls `public.submit_inquiry` as `anon` inside one transaction with the request GUCs the
    /// gateway sets (`request.jwt.claims`, `request.headers`). Returns the inquiry id.
    static func submitAsAnon(
        _ db: TestDatabase,
        venueID: UUID,
        name: String? = "Ada Lovelace",
        email: String? = "ada@example.com",
        phone: String? = nil,
        eventDateOffsetDays: Int = 30,
        partySize: Int = 40,
        clientIP: String = "203.0.113.7"
    ) async throws -> UUID {
        try await db.withConnection { conn in
            _ = try await conn.query("begin", logger: TestDatabase.logger)
            do {
                _ = try await conn.query("set local role anon", logger: TestDatabase.logger)
                _ = try await conn.query("select set_config('request.jwt.claims', '{\"role\":\"anon\"}', true)", logger: TestDatabase.logger)
                let headers = "{\"x-forwarded-for\":\"\(clientIP)\"}"
                _ = try await conn.query("select set_config('request.headers', \(headers), true)", logger: TestDatabase.logger)
                let rows = try await conn.query("""
                    select public.submit_inquiry(
                      p_venue_id => \(venueID),
                      p_name => \(name),
                      p_email => \(email),
                      p_phone => \(phone),
                      p_event_date => current_date + \(Int32(eventDateOffsetDays)),
                      p_party_size => \(Int32(partySize)),
                      p_message => 'Team dinner for the launch'
                    )
                    """, logger: TestDatabase.logger)
                var id: UUID?
                for try await value in rows.decode(UUID.self) { id = value }
                _ = try await conn.query("commit", logger: TestDatabase.logger)
                guard let id else { throw SliceError.noRow }
                return id
            } catch {
                _ = try? await conn.query("rollback", logger: TestDatabase.logger)
                throw error
            }
        }
    }

    /// The notification the inquiry created: (status, provider_message_id).
    static func notification(in db: TestDatabase, venueID: UUID) async throws -> (status: String, providerMessageID: String?)? {
        try await db.withConnection { conn in
            let rows = try await conn.query("""
                select n.status::text, n.provider_message_id
                from app.notifications n
                where n.venue_id = \(venueID) and n.channel = 'email'
                order by n.created_at desc limit 1
                """, logger: TestDatabase.logger)
            for try await (status, id) in rows.decode((String, String?).self) { return (status, id) }
            return nil
        }
    }

    static func count(_ table: String, in db: TestDatabase) async throws -> Int {
        Int(try await db.scalar("select count(*)::text from \(table)") ?? "0") ?? 0
    }

    enum SliceError: Error { case noRow }
}
