import BanquetCore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/functions/v1/calendar?token=<secret>`: a venue's bookings as an iCalendar feed (RFC 5545)
/// that calendar apps subscribe to. The token is the capability (`set_venue_web_settings`
/// creates and rotates it); an unknown token is a 404 with nothing revealed.
public struct CalendarFeed: EdgeFunction {
    public let name = "calendar"
    let database: EdgeDatabase
    let logger: Logger

    public init(database: EdgeDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    struct Row: Sendable {
        var venue: String
        var bookingID: UUID?
        var status: String?
        var startsAt: Date?
        var endsAt: Date?
        var guests: Int?
        var guest: String?
        var space: String?
        var updatedAt: Date?
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard request.method == .get else { return EdgeFailure.badRequest("GET the feed").response }
        guard let token = request.uri.queryParameters["token"].map(String.init), token.count >= 32 else {
            return EdgeFailure.notFound("no such calendar").response
        }
        let rows = try await database.transaction(logger: logger) { connection -> [Row] in
            let result = try await connection.query("""
                select venue_name, booking_id, status, starts_at, ends_at, guest_count, guest_name, space_name, updated_at
                from public.venue_calendar(\(token))
                """, logger: logger)
            var rows: [Row] = []
            for try await (venue, id, status, starts, ends, guests, guest, space, updated) in
                result.decode((String, UUID?, String?, Date?, Date?, Int?, String?, String?, Date?).self) {
                rows.append(Row(venue: venue, bookingID: id, status: status, startsAt: starts, endsAt: ends, guests: guests, guest: guest, space: space, updatedAt: updated))
            }
            return rows
        }
        guard let first = rows.first else { return EdgeFailure.notFound("no such calendar").response }
        return EdgeResponse.text(Self.render(venue: first.venue, rows: rows), contentType: "text/calendar; charset=utf-8",
                                 headers: [.cacheControl: "private, max-age=300"])
    }

    static func render(venue: String, rows: [Row], now: Date = Date()) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Banquet//Bookings//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:\(escape(venue))"]
        for row in rows {
            guard let id = row.bookingID, let starts = row.startsAt, let ends = row.endsAt else { continue }
            lines += [
                "BEGIN:VEVENT",
                "UID:\(id.uuidString.lowercased())@banquet",
                "DTSTAMP:\(stamp(row.updatedAt ?? now))",
                "DTSTART:\(stamp(starts))",
                "DTEND:\(stamp(ends))",
                "SUMMARY:\(escape("\(row.guest ?? "Guest") (\(row.guests ?? 0) guests)\(row.space.map { " — \($0)" } ?? "")"))",
                // A held booking is pencilled in; confirmed and completed ones are firm.
                "STATUS:\(row.status == "held" ? "TENTATIVE" : "CONFIRMED")",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// UTC date-time form `20261129T183000Z`.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Lines longer than 75 octets continue on the next line after a space (§3.1), never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var out = "", count = 0
        for character in line {
            let size = String(character).utf8.count
            if count + size > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(character)
            count += size
        }
        return out
    }
}
