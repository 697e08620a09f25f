import Foundation

/// What `public.get_public_proposal` returns, as the guest's page reads it.
struct PublicProposal: Decodable, Sendable {
    struct Venue: Decodable, Sendable {
        var name: String
        var timezone: String
        var address: String?
        var logoPath: String?
    }

    struct Item: Decodable, Sendable {
        var description: String
        var quantity: Int64
        var unitPriceMinor: Int64
        var totalMinor: Int64
    }

    struct Deposit: Decodable, Sendable {
        var amountMinor: Int64
        var currency: String
        var dueAt: String
        var status: String
        var paidAt: String?
        var payUrl: String?
    }

    struct Booking: Decodable, Sendable {
        var status: String
        var holdExpiresAt: String?
        var deposit: Deposit?
    }

    var status: String
    var version: Int
    var title: String?
    var venue: Venue
    var space: String?
    var guestName: String?
    var guestCount: Int
    var startsAt: String
    var endsAt: String
    var currency: String
    var items: [Item]
    var subtotalMinor: Int64
    var fnbShortfallMinor: Int64
    var serviceChargeBps: Int
    var serviceChargeMinor: Int64
    var taxBps: Int
    var taxMinor: Int64
    var totalMinor: Int64
    var depositMinor: Int64
    var expiresAt: String?
    var decidedAt: String?
    var signedBy: String?
    var booking: Booking?

    static func decode(_ json: String) throws -> PublicProposal {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(PublicProposal.self, from: Data(json.utf8))
    }

    var isOpen: Bool { status == "sent" || status == "viewed" }
}

/// Timestamps as PostgreSQL's JSON prints them (`2026-12-05T19:00:00+00:00`, sometimes with
/// microseconds), shown in the venue's time zone.
struct VenueClock: Sendable {
    let timeZone: TimeZone

    init(_ identifier: String) {
        timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        // ISO8601DateFormatter reads at most milliseconds: drop the fraction, which no page shows.
        let whole = text.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
        return formatter.date(from: whole)
    }

    func format(_ text: String?, _ pattern: String) -> String {
        guard let text, let date = Self.parse(text) else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// `Saturday 5 December 2026`
    func day(_ text: String?) -> String { format(text, "EEEE d MMMM yyyy") }
    /// `19:00`
    func time(_ text: String?) -> String { format(text, "HH:mm") }
}
