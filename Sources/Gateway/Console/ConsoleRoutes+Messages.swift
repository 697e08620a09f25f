import BanquetCore
import Foundation
import Hummingbird

/// What `make run` "sent": the offline mailbox (`.eml` files) and the offline WhatsApp,
/// Instagram and payments outboxes (the JSON request each provider would have received).
extension ConsoleRoutes {
    static let shownHeaders = ["Date", "From", "To", "Reply-To", "Subject", "Message-ID"]

    struct MailSummary {
        var name: String
        var modified: Date
        var message: MailMessage
    }

    func mailSummaries() -> [MailSummary] {
        mailbox.list().compactMap { entry in
            mailbox.read(entry.name, maxBytes: 64 * 1024).map { MailSummary(name: entry.name, modified: entry.modified, message: MailMessage(headersOf: $0)) }
        }
    }

    func mailboxPage() -> Response {
        let rows: [HTML] = mailSummaries().map { mail in
            """
            <tr><td>\(mail.message.header("Date") ?? ConsoleFormat.time(mail.modified))</td><td>\(mail.message.header("To"))</td>
            <td><a class="mail" href="/console/mailbox/\(HTML.pathSegment(mail.name))">\(mail.message.header("Subject") ?? "(no subject)")</a></td>
            <td>\(mail.message.header("From"))</td></tr>
            """
        }
        return ConsolePage(title: "Mailbox", body: """
            <p>The offline email transport's mailbox (<code>\(mailbox.directory.path)</code>): every email the daemon "sent", newest first. Nothing was delivered.</p>
            <table id="mailbox"><thead><tr><th>date</th><th>to</th><th>subject</th><th>from</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"4\" class=\"muted\">The mailbox is empty.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody></table>
            """, live: true).response()
    }

    func mailPage(_ context: GatewayRequestContext) throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let raw = mailbox.read(name) else { throw ConsoleError.notFound("No message \(name) in the mailbox.") }
        let message = MailMessage(parsing: raw)
        let headers: [HTML] = Self.shownHeaders.compactMap { header in
            message.header(header).map { "<tr><th>\(header)</th><td>\($0)</td></tr>" }
        }
        // The HTML part is untrusted: it is shown in a frame with every sandbox restriction on
        // (no scripts, no forms, no navigation of this page, a unique origin), its markup
        // escaped into the srcdoc attribute; the page's CSP lets it load nothing remote.
        let html: HTML = message.html.map {
            HTML("<h2>HTML part</h2><iframe class=\"mail\" id=\"mail-html\" title=\"HTML part\" sandbox=\"\" referrerpolicy=\"no-referrer\" srcdoc=\"\($0)\"></iframe><details><summary>HTML source</summary><pre>\($0)</pre></details>")
        } ?? ""
        return ConsolePage(title: message.header("Subject") ?? "(no subject)", body: """
            <p><a href="/console/mailbox">← Mailbox</a> · <code>\(name)</code></p>
            <table id="mail-headers">\(headers)</table>
            <h2>Text part</h2><pre id="mail-text">\(message.text ?? "(none)")</pre>
            \(html)
            """).response()
    }

    func outboxPage() -> Response {
        let sections: [HTML] = outboxes.map { outbox in
            let rows: [HTML] = outbox.files.list().map { entry in
                let summary = outbox.files.read(entry.name, maxBytes: 256 * 1024).map { Self.outboxSummary(channel: outbox.channel, json: $0) }
                return """
                    <tr><td>\(ConsoleFormat.time(entry.modified))</td><td>\(summary?.to ?? "")</td>
                    <td><a class="outbox" href="/console/outbox/\(outbox.channel)/\(HTML.pathSegment(entry.name))">\(ConsoleFormat.truncated(summary?.text ?? entry.name, 160))</a></td></tr>
                    """
            }
            return """
                <h2 id="outbox-\(outbox.channel)">\(outbox.channel)</h2>
                <p class="muted"><code>\(outbox.files.directory.path)</code></p>
                <table><thead><tr><th>written</th><th>to</th><th>message</th></tr></thead>
                <tbody>\(rows.isEmpty ? "<tr><td colspan=\"3\" class=\"muted\">Nothing here.</td></tr>" : HTML(trusted: rows.map(\.rendered).joined()))</tbody></table>
                """
        }
        return ConsolePage(title: "Outbox", body: """
            <p>What the offline WhatsApp, Instagram and payments providers were asked to do, newest first: the request each real provider would
            have received. Nothing left the machine.</p>
            \(sections)
            """, live: true).response()
    }

    func outboxFilePage(_ context: GatewayRequestContext) throws -> Response {
        let channel = context.parameters.get("channel") ?? ""
        let name = context.parameters.get("name") ?? ""
        guard let files = outboxes.first(where: { $0.channel == channel })?.files, let json = files.read(name) else {
            throw ConsoleError.notFound("No \(channel) outbox file \(name).")
        }
        let summary = Self.outboxSummary(channel: channel, json: json)
        return ConsolePage(title: "\(channel): \(ConsoleFormat.truncated(summary.text ?? name, 80))", body: """
            <p><a href="/console/outbox">← Outbox</a> · <code>\(name)</code></p>
            <table id="outbox-summary"><tr><th>to</th><td>\(summary.to ?? "")</td></tr><tr><th>message</th><td id="outbox-text">\(summary.text ?? "")</td></tr></table>
            <h2>As written</h2><pre id="outbox-json">\(PayloadRedaction.prettyJSON(json))</pre>
            """).response()
    }

    /// Who and what, read from each offline provider's file format: WhatsApp's `{request: {to,
    /// text.body | template.name}}`, Instagram's `{recipient.id, message.text}`, a payments
    /// session's `{description, amountMinor, currency}`.
    static func outboxSummary(channel: String, json: String) -> (to: String?, text: String?) {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return (nil, nil) }
        func string(_ path: String...) -> String? {
            var current: Any? = object
            for key in path { current = (current as? [String: Any])?[key] }
            return current as? String
        }
        switch channel {
        case "whatsapp":
            return (string("request", "to"), string("request", "text", "body") ?? string("request", "template", "name").map { "template \($0)" })
        case "instagram":
            return (string("recipient", "id") ?? string("recipient", "comment_id"), string("message", "text"))
        default:
            let minor = (object["amountMinor"] as? Int).map(Int64.init) ?? (object["amountMinor"] as? Double).map { Int64($0) }
            // ISO 4217 exponents (JPY has none), as the guest's page and the emails print money.
            let amount = minor.flatMap { minor in string("currency").map { Money(minor: minor, currency: $0).description } }
            return (string("bookingID").map { "booking \($0)" }, [string("description"), amount].compactMap { $0 }.joined(separator: " "))
        }
    }

    func mailboxJSON() -> Any {
        mailSummaries().map { mail -> [String: Any] in
            ["name": mail.name, "date": nullable(mail.message.header("Date")), "from": nullable(mail.message.header("From")),
             "to": nullable(mail.message.header("To")), "subject": nullable(mail.message.header("Subject"))]
        }
    }

    func outboxJSON() -> Any {
        var result: [String: Any] = [:]
        for outbox in outboxes {
            result[outbox.channel] = outbox.files.list().map { entry -> [String: Any] in
                let summary = outbox.files.read(entry.name, maxBytes: 256 * 1024).map { Self.outboxSummary(channel: outbox.channel, json: $0) }
                return ["name": entry.name, "written_at": ConsoleFormat.time(entry.modified), "to": nullable(summary?.to), "text": nullable(summary?.text)]
            }
        }
        return result
    }
}
