import BanquetCore
import Foundation
@testable import Gateway
import Testing

/// The pure parts of the guest's proposal page: the view escapes every value and prints money and
/// rates the one way, dates land in the venue's time zone, and the token never reaches the log.
/// The page itself is tested end to end in headless Chromium (tests/browser).
@Suite("Proposal page units")
struct ProposalPageUnitTests {
    static let json = #"""
        {"id": "p", "status": "viewed", "version": 2, "title": "<b>Gala</b>",
         "venue": {"name": "Tom & Jerry's", "timezone": "Europe/London", "address": null, "logo_path": "org/my logo.png"},
         "space": "Hall", "guest_name": "<script>alert(1)</script>", "guest_count": 40,
         "starts_at": "2026-12-05T19:00:00+00:00", "ends_at": "2026-12-05T23:30:00.123456+00:00", "currency": "EUR",
         "items": [{"description": "<img src=x onerror=alert(2)>", "quantity": 40, "unit_price_minor": 5500, "total_minor": 220000}],
         "subtotal_minor": 220000, "fnb_shortfall_minor": 0, "service_charge_bps": 1250, "service_charge_minor": 27500,
         "tax_bps": 2000, "tax_minor": 49500, "total_minor": 297000, "deposit_minor": 89100,
         "expires_at": "2026-12-01T12:00:00+00:00", "decided_at": null, "signed_by": null, "booking": null}
        """#

    @Test("the open proposal: values escaped, amounts and rates formatted, dates in the venue's zone, forms posting to the token's path")
    func rendersAnOpenProposal() throws {
        let proposal = try PublicProposal.decode(Self.json)
        let page = ProposalView(proposal: proposal, token: "tok_1").page(stylesheet: PageStyle.guest)
        #expect(page.status == .ok)
        #expect(!page.body.contains("<script>") && !page.body.contains("<img src=x"))
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && page.body.contains("Tom &amp; Jerry&#39;s"))
        #expect(page.body.contains(#"id="total">EUR 2,970.00<"#) && page.body.contains("Service charge (12.5%)"))
        #expect(page.body.contains("Saturday 5 December 2026") && page.body.contains("19:00–23:30"))
        #expect(page.body.contains(#"src="/storage/v1/object/public/logos/org/my%20logo.png""#))
        #expect(page.body.contains(#"action="/p/tok_1/accept""#) && page.body.contains(#"action="/p/tok_1/decline""#))
        #expect(page.contentSecurityPolicy.hasPrefix("default-src 'none'; style-src 'sha256-"))
    }

    @Test("expired and declined proposals are 410 pages without forms")
    func deadLinks() throws {
        for status in ["expired", "declined"] {
            let proposal = try PublicProposal.decode(Self.json.replacingOccurrences(of: #""status": "viewed""#, with: "\"status\": \"\(status)\""))
            let page = ProposalView(proposal: proposal, token: "t").page(stylesheet: PageStyle.guest)
            #expect(page.status == .gone)
            #expect(!page.body.contains("<form"))
        }
    }

    @Test("basis points as percentages; the token is cut from logged paths; only http(s) links")
    func helpers() {
        #expect(ProposalView.percent(1000) == "10%")
        #expect(ProposalView.percent(1250) == "12.5%")
        #expect(ProposalView.percent(1205) == "12.05%")
        #expect(AccessLogMiddleware.withoutToken("/p/secret-token/accept") == "/p/…/accept")
        #expect(AccessLogMiddleware.routeGroup("/p/secret-token") == "pages")
        #expect(HTML.url("javascript:alert(1)") == nil)
        #expect(HTML.url("https://pay.example/cs?a=1&b=2") == "https://pay.example/cs?a=1&amp;b=2")
    }
}
