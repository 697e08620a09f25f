import BanquetCore
import BridgeRuntime
import Connectors
import Foundation
import JobKinds
import Logging
import Testing

/// The versioned email templates: each renders with the data its SQL producer (or the auth
/// mailer) sends, escapes in HTML only, formats money once, and `email.send` turns a template
/// payload into a multipart/alternative message while still sending old-shape payloads.
@Suite("Email templates")
struct EmailTemplatesTests {
    let logger = Logger(label: "banquet.tests.templates")

    static let branding: [String: JSONValue] = ["venue_name": .string("Harbour Rooms"), "logo_url": .string("http://localhost:54321/storage/v1/object/public/logos/o/logo.png")]
    static let link = JSONValue.string("http://localhost:54321/p/tok_123")

    /// The data each producer sends (migration 20261129011100, AuthMailer), one case per template.
    static let samples: [String: ([String: JSONValue], expect: String)] = [
        "notification": (["title": .string("New inquiry: Ada, 40 guests"), "body": .string("Name: Ada\nGuests: 40"), "kind": .string("inquiry.new")], "Guests: 40"),
        "proposal_ready": (["guest_name": .string("Ada"), "title": .string("Summer party"), "guest_count": .number(40), "event_time": .string("Saturday 5 December 2026, 19:00"),
                            "currency": .string("GBP"), "total_minor": .number(277200), "deposit_minor": .number(83160), "valid_until": .string("Tuesday 8 December 2026"), "link": link], "GBP 2,772.00"),
        "booking_held": (["guest_name": .string("Ada"), "guest_count": .number(40), "event_time": .string("Saturday 5 December 2026, 19:00"), "currency": .string("GBP"),
                          "total_minor": .number(277200), "deposit_minor": .number(83160), "deposit_due": .string("Sunday 6 December 2026"), "link": link], "GBP 831.60"),
        "booking_confirmed": (["guest_name": .string("Ada"), "guest_count": .number(40), "event_time": .string("Saturday 5 December 2026, 19:00"), "currency": .string("GBP"),
                               "total_minor": .number(277200), "link": link], "Harbour Rooms for 40 guests"),
        "payment_link": (["guest_name": .string("Ada"), "kind": .string("deposit"), "currency": .string("GBP"), "amount_minor": .number(83160), "due_on": .string("Sunday 6 December 2026"),
                          "event_time": .string("Saturday 5 December 2026, 19:00"), "pay_url": .string("https://pay.example/cs_1"), "link": link], "https://pay.example/cs_1"),
        "payment_reminder": (["guest_name": .string("Ada"), "kind": .string("balance"), "currency": .string("JPY"), "amount_minor": .number(150000), "due_on": .string("Friday 20 November 2026"),
                              "event_time": .string("Saturday 5 December 2026, 19:00"), "link": link], "JPY 150,000"),
        "payment_received": (["guest_name": .string("Ada"), "kind": .string("deposit"), "currency": .string("GBP"), "amount_minor": .number(83160), "paid_on": .string("Sunday 6 December 2026"),
                              "event_time": .string("Saturday 5 December 2026, 19:00"), "link": link], "GBP 831.60"),
        "invitation": (["organization_name": .string("Harbour Group"), "role": .string("staff"), "code": .string("inv_abc"), "valid_days": .number(7)], "inv_abc"),
        "signup_confirmation": (["link": .string("http://localhost:54321/auth/v1/verify?token=t&type=signup"), "valid_minutes": .number(60)], "expires in 60 minutes"),
        "password_recovery": (["link": .string("http://localhost:54321/auth/v1/verify?token=t&type=recovery"), "valid_minutes": .number(60)], "reset the password"),
    ]

    @Test("every template renders: a one-line subject, text and HTML with the venue, no tag left over")
    func everyTemplateRenders() throws {
        let templates = try EmailTemplates.bundled()
        #expect(Set(templates.catalog.map(\.name)) == Set(Self.samples.keys))
        for (name, version) in templates.catalog {
            let (data, expected) = try #require(Self.samples[name])
            let rendered = try templates.render(name, version: version, data: .object(Self.branding.merging(data) { $1 }))
            #expect(!rendered.subject.isEmpty && !rendered.subject.contains("\n"), "\(name) subject")
            #expect(rendered.text.contains(expected), "\(name) text: \(rendered.text)")
            #expect(rendered.html.contains(HTMLEscaping.escape(expected)), "\(name) html")
            #expect(rendered.html.hasPrefix("<!doctype html>") && rendered.html.contains("Harbour Rooms"), "\(name) layout")
            #expect(rendered.html.contains(#"<img src="http://localhost:54321/storage/v1/object/public/logos/o/logo.png""#), "\(name) logo")
            for output in [rendered.subject, rendered.text, rendered.html] {
                #expect(!output.contains("{{") && !output.contains("}}"), "\(name): \(output)")
            }
        }
    }

    @Test("untrusted values are escaped in HTML, kept as typed in text, and a subject cannot break a header")
    func hostileValues() throws {
        let templates = try EmailTemplates.bundled()
        let data: JSONValue = .object(Self.branding.merging([
            "guest_name": .string("<script>alert(1)</script>"), "title": .string("Party\r\nBcc: victim@example.com"), "guest_count": .number(2),
            "event_time": .string("soon"), "currency": .string("EUR"), "total_minor": .number(100), "valid_until": .string("later"), "link": Self.link,
            "venue_name": .string("Tom & \"Jerry's\""),
        ]) { $1 })
        let rendered = try templates.render("proposal_ready", version: 1, data: data)
        #expect(!rendered.html.contains("<script>"))
        #expect(rendered.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(rendered.html.contains("Tom &amp; &quot;Jerry&#39;s&quot;"))
        #expect(rendered.text.contains("Hello <script>alert(1)</script>,"))
        let notification = try templates.render("notification", version: 1, data: .object(["title": .string("Line one\nBcc: x@example.com"), "body": .string("b")]))
        #expect(notification.subject == "Line one Bcc: x@example.com")
    }

    @Test("an unknown template or version is refused by name")
    func unknownTemplate() throws {
        let templates = try EmailTemplates.bundled()
        #expect(throws: EmailTemplates.Failure.self) { try templates.render("proposal_ready", version: 99, data: .object([:])) }
    }

    @Test("Mustache subset: variables, dotted names, sections over arrays and objects, inverted sections, standalone lines")
    func mustache() throws {
        let template = try MustacheTemplate("""
            Hi {{name}}{{^name}}there{{/name}} {{{raw}}} {{venue.name}}
            {{#items}}
            - {{label}} x{{n}}
            {{/items}}
            {{! a comment on its own line }}
            {{#missing}}never{{/missing}}end
            """)
        let output = template.render(.object(["name": .string("<Ada>"), "raw": .string("<b>"), "venue": .object(["name": .string("V")]),
                                              "items": .array([.object(["label": .string("a"), "n": .number(2)]), .object(["label": .string("b"), "n": .number(1.5)])])]),
                                     escape: HTMLEscaping.escape)
        #expect(output == "Hi &lt;Ada&gt; <b> V\n- a x2\n- b x1.5\nend")
        #expect(throws: MustacheTemplate.ParseError.self) { try MustacheTemplate("{{#a}}open") }
        #expect(throws: MustacheTemplate.ParseError.self) { try MustacheTemplate("{{/a}}") }
    }

    @Test("money in minor units by ISO 4217 exponent, grouped; HTML escaping of the five characters")
    func moneyAndEscaping() {
        #expect(Money(minor: 277200, currency: "gbp").description == "GBP 2,772.00")
        #expect(Money(minor: 5, currency: "EUR").description == "EUR 0.05")
        #expect(Money(minor: -123456789, currency: "USD").description == "-USD 1,234,567.89")
        #expect(Money(minor: 15000, currency: "JPY").description == "JPY 15,000")
        #expect(Money(minor: 12500, currency: "KWD").description == "KWD 12.500")
        #expect(HTMLEscaping.escape(#"<a href="x">Tom & 'Jerry'</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
    }

    @Test("email.send renders a template payload into text and HTML (multipart .eml) and still sends the old shape")
    func handlerRendersTemplates() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let handler = EmailSendHandler(transport: MailboxTransport(directory: directory, logger: logger), defaultFrom: "Banquet <noreply@banquet.local>",
                                       templates: try EmailTemplates.bundled())
        let templated = try JSONDecoder().decode(EmailSendHandler.Payload.self, from: Data("""
            {"to": "guest@example.com", "template": "proposal_ready", "template_version": 1,
             "data": {"venue_name": "Harbour Rooms", "guest_name": "Ada", "guest_count": 40, "currency": "GBP", "total_minor": 277200, "link": "http://localhost:54321/p/tok"}}
            """.utf8))
        let job = ClaimedJob(id: 11, queue: "email", kind: EmailSendHandler.kind, payload: Data("{}".utf8), attempts: 1, maxAttempts: 5, leaseToken: UUID())
        _ = try await handler.perform(templated, job: job, context: JobContext(logger: logger, deadline: .now + .seconds(30), idempotencyKey: "job-11"))
        let old = try JSONDecoder().decode(EmailSendHandler.Payload.self, from: Data(#"{"to": "guest@example.com", "subject": "Old", "text": "queued before templates"}"#.utf8))
        let oldJob = ClaimedJob(id: 12, queue: "email", kind: EmailSendHandler.kind, payload: Data("{}".utf8), attempts: 1, maxAttempts: 5, leaseToken: UUID())
        _ = try await handler.perform(old, job: oldJob, context: JobContext(logger: logger, deadline: .now + .seconds(30), idempotencyKey: "job-12"))

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.count == 2)
        let messages = try files.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        let rendered = try #require(messages.first { $0.contains("job-11@") })
        #expect(rendered.contains("Subject: Your proposal from Harbour Rooms"))
        #expect(rendered.contains("multipart/alternative"))
        #expect(rendered.contains("Content-Type: text/plain") && rendered.contains("Content-Type: text/html"))
        let plain = try #require(messages.first { $0.contains("job-12@") })
        #expect(plain.contains("Subject: Old") && !plain.contains("multipart"))
    }
}
