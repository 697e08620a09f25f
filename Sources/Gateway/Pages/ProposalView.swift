import BanquetCore
import HTTPTypes

/// The guest's proposal as HTML: venue, event, every line, the totals, validity, and — by state —
/// the Accept and Decline forms, the booking with its deposit, or why the link no longer works.
/// Every value is escaped with `HTML.text` (guest names and item descriptions are untrusted).
struct ProposalView {
    let proposal: PublicProposal
    let token: String

    private var clock: VenueClock { VenueClock(proposal.venue.timezone) }

    private func money(_ minor: Int64) -> String {
        HTML.text(Money(minor: minor, currency: proposal.currency).description)
    }

    func page(stylesheet: HTMLStylesheet) -> HTMLPage {
        let venue = proposal.venue.name
        switch proposal.status {
        case "expired":
            return HTMLPage(title: "Proposal expired — \(venue)", body: main(notice(
                "This proposal expired on \(clock.day(proposal.expiresAt)).",
                "Its prices and availability are no longer held. Please ask \(venue) for a new proposal.", kind: "warn", id: "expired")
                + summary), status: .gone, stylesheet: stylesheet)
        case "declined":
            return HTMLPage(title: "Proposal declined — \(venue)", body: main(notice(
                "You declined this proposal.", "\(venue) has been told. If you change your mind, ask them for a new proposal.",
                kind: "warn", id: "declined") + summary), status: .gone, stylesheet: stylesheet)
        case "accepted":
            return HTMLPage(title: "Your booking — \(venue)", body: main(booking + summary + lines), stylesheet: stylesheet)
        default:
            // sent or viewed (draft versions have no token).
            return HTMLPage(title: (proposal.title ?? "Your proposal") + " — \(venue)", body: main(summary + lines + forms), stylesheet: stylesheet)
        }
    }

    // MARK: Parts

    private func main(_ content: String) -> String {
        var header = "<header class=\"venue\">"
        if let path = proposal.venue.logoPath {
            let url = "/storage/v1/object/public/logos/" + path.split(separator: "/", omittingEmptySubsequences: false).map { HTML.pathSegment(String($0)) }.joined(separator: "/")
            header += "<img src=\"\(url)\" alt=\"\(HTML.text(proposal.venue.name)) logo\" id=\"logo\">"
        }
        header += "<div><div class=\"name\" id=\"venue-name\">\(HTML.text(proposal.venue.name))</div>"
        if let address = proposal.venue.address { header += "<div class=\"address\">\(HTML.text(address))</div>" }
        header += "</div></header>"
        return "<main>\(header)\(content)<footer>Proposal v\(proposal.version) · prices in \(HTML.text(proposal.currency))</footer></main>"
    }

    private func notice(_ headline: String, _ text: String, kind: String = "", id: String) -> String {
        "<div class=\"notice \(kind)\" id=\"\(id)\"><strong>\(HTML.text(headline))</strong><br>\(HTML.text(text))</div>"
    }

    private var summary: String {
        var html = "<section class=\"card\" id=\"event\"><h1 id=\"title\">\(HTML.text(proposal.title ?? "Your proposal"))</h1>"
        if let guest = proposal.guestName { html += "<p class=\"muted\">Prepared for <span id=\"guest-name\">\(HTML.text(guest))</span></p>" }
        html += "<dl class=\"facts\">"
        html += "<dt>Date</dt><dd id=\"event-date\">\(HTML.text(clock.day(proposal.startsAt)))</dd>"
        html += "<dt>Time</dt><dd>\(HTML.text(clock.time(proposal.startsAt)))–\(HTML.text(clock.time(proposal.endsAt)))</dd>"
        html += "<dt>Guests</dt><dd id=\"guest-count\">\(proposal.guestCount)</dd>"
        if let space = proposal.space { html += "<dt>Room</dt><dd>\(HTML.text(space))</dd>" }
        if proposal.isOpen, let expires = proposal.expiresAt {
            html += "<dt>Valid until</dt><dd id=\"valid-until\">\(HTML.text(clock.day(expires)))</dd>"
        }
        return html + "</dl></section>"
    }

    private var lines: String {
        // Two columns, so a phone shows every amount without scrolling sideways: the quantity and
        // unit price go under the line's description.
        var html = "<section class=\"card\"><h2>Your menu and services</h2><table id=\"items\"><thead><tr><th>Item</th><th class=\"num\">Amount</th></tr></thead><tbody>"
        for item in proposal.items {
            html += "<tr class=\"item\"><td><div class=\"description\">\(HTML.text(item.description))</div>"
            html += "<div class=\"muted quantity\">\(item.quantity) × \(money(item.unitPriceMinor))</div></td><td class=\"num amount\">\(money(item.totalMinor))</td></tr>"
        }
        html += "</tbody><tfoot>"
        func row(_ id: String, _ label: String, _ minor: Int64, _ extra: String = "") -> String {
            "<tr\(extra)><td>\(HTML.text(label))</td><td class=\"num\" id=\"\(id)\">\(money(minor))</td></tr>"
        }
        html += row("subtotal", "Subtotal", proposal.subtotalMinor)
        if proposal.fnbShortfallMinor > 0 { html += row("fnb-shortfall", "Food and drink minimum (shortfall)", proposal.fnbShortfallMinor) }
        if proposal.serviceChargeMinor > 0 || proposal.serviceChargeBps > 0 {
            html += row("service-charge", "Service charge (\(Self.percent(proposal.serviceChargeBps)))", proposal.serviceChargeMinor)
        }
        if proposal.taxMinor > 0 || proposal.taxBps > 0 { html += row("tax", "Tax (\(Self.percent(proposal.taxBps)))", proposal.taxMinor) }
        html += row("total", "Total", proposal.totalMinor, " class=\"total\"")
        if proposal.depositMinor > 0 { html += row("deposit", "Deposit to confirm the booking", proposal.depositMinor) }
        return html + "</tfoot></table></section>"
    }

    private var forms: String {
        let path = "/p/" + HTML.pathSegment(token)
        return """
            <section class="card" id="accept"><h2>Accept</h2>
            <p>Accepting books the date: \(HTML.text(proposal.venue.name)) holds it for you\(proposal.depositMinor > 0 ? " until the deposit of \(money(proposal.depositMinor)) is paid" : "").</p>
            <form method="post" action="\(path)/accept">
            <label for="name">Your full name (as your signature)</label>
            <input type="text" id="name" name="name" required maxlength="200" autocomplete="name" value="\(HTML.text(proposal.guestName ?? ""))">
            <label for="note">A note for the venue (optional)</label>
            <textarea id="note" name="note" maxlength="2000"></textarea>
            <button type="submit" class="accept" id="accept-button">Accept and book</button>
            </form></section>
            <section class="card" id="decline"><h2>Decline</h2>
            <form method="post" action="\(path)/decline">
            <label for="reason">Tell the venue why (optional)</label>
            <textarea id="reason" name="reason" maxlength="2000"></textarea>
            <button type="submit" class="decline" id="decline-button">Decline this proposal</button>
            </form></section>
            """
    }

    private var booking: String {
        guard let booking = proposal.booking else {
            return notice("You accepted this proposal.", "\(proposal.venue.name) will be in touch about the next steps.", id: "booking")
        }
        var html = "<section class=\"card\" id=\"booking\">"
        switch booking.status {
        case "held":
            html += "<h1 id=\"booking-status\">Booking held</h1><p>Thank you\(proposal.signedBy.map { ", " + HTML.text($0) } ?? "")! \(HTML.text(proposal.venue.name)) is holding the date for you.</p>"
        case "confirmed", "completed":
            html += "<h1 id=\"booking-status\">Booking confirmed</h1><p>\(HTML.text(proposal.venue.name)) looks forward to welcoming you.</p>"
        case "cancelled":
            html += "<h1 id=\"booking-status\">Booking cancelled</h1><p>Please contact \(HTML.text(proposal.venue.name)) with any questions.</p>"
        default:
            html += "<h1 id=\"booking-status\">Booking \(HTML.text(booking.status))</h1>"
        }
        if let deposit = booking.deposit {
            let amount = HTML.text(Money(minor: deposit.amountMinor, currency: deposit.currency).description)
            html += "<dl class=\"facts\"><dt>Deposit</dt><dd id=\"deposit-amount\">\(amount)</dd>"
            if deposit.status == "paid" {
                html += "<dt>Paid</dt><dd id=\"deposit-paid\">\(HTML.text(clock.day(deposit.paidAt)))</dd></dl>"
            } else {
                html += "<dt>Due by</dt><dd id=\"deposit-due\">\(HTML.text(clock.day(deposit.dueAt)))</dd></dl>"
                if deposit.status == "scheduled", let url = deposit.payUrl.flatMap(HTML.url) {
                    html += "<p><a class=\"button\" id=\"pay-deposit\" href=\"\(url)\" rel=\"noreferrer\">Pay the deposit of \(amount)</a></p>"
                    html += "<p class=\"muted\">The same payment link was emailed to you.</p>"
                } else if deposit.status == "scheduled" {
                    html += "<p class=\"muted\" id=\"pay-pending\">Your payment link is being prepared: it will arrive by email and appear on this page. Reload the page in a moment.</p>"
                }
            }
        }
        return html + "</section>"
    }

    /// Basis points as a percentage: 1250 → `12.5%`, 2000 → `20%`.
    static func percent(_ bps: Int) -> String {
        let whole = bps / 100, fraction = bps % 100
        if fraction == 0 { return "\(whole)%" }
        let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0\(fraction)" : String(fraction))
        return "\(whole).\(digits)%"
    }
}
