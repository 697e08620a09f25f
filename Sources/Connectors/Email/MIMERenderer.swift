import ConnectorKit
import Foundation

/// A message rendered once, for every transport: the RFC 5322 text (CRLF line ends) and the
/// SMTP envelope.
struct RenderedEmail: Sendable {
    var messageID: String
    var envelopeFrom: String
    var envelopeTo: [String]
    var date: Date
    /// Headers and body, CRLF line ends, no dot-stuffing (SMTP adds that on the wire).
    var data: String
}

/// The one MIME renderer `MailboxTransport` and `SMTPTransport` share.
enum MIMERenderer {
    /// Headers the renderer writes itself; a caller's header of the same name is ignored.
    static let managedHeaders: Set<String> = ["from", "to", "reply-to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding"]

    static func render(_ message: EmailMessage, date: Date = Date()) throws(EmailError) -> RenderedEmail {
        let from = try EmailAddress(parsing: message.from)
        guard !message.to.isEmpty else { throw .invalidMessage("no recipients") }
        var recipients: [EmailAddress] = []
        for raw in message.to { recipients.append(try EmailAddress(parsing: raw)) }
        let replyTo = try message.replyTo.map { raw throws(EmailError) in try EmailAddress(parsing: raw) }
        let messageID = try messageID(for: message, domain: from.domain)

        var headers: [(String, String)] = [
            ("Date", HTTPDate.formatRFC5322(date)),
            ("From", from.headerValue),
            ("To", recipients.map(\.headerValue).joined(separator: ",\r\n ")),
        ]
        if let replyTo { headers.append(("Reply-To", replyTo.headerValue)) }
        headers.append(("Subject", MIMEEncoding.headerText(try headerSafe(message.subject, name: "Subject"))))
        headers.append(("Message-ID", messageID))
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) where !managedHeaders.contains(name.lowercased()) {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }) else {
                throw .invalidMessage("header name '\(name)' is not a valid field name")
            }
            headers.append((name, MIMEEncoding.headerText(try headerSafe(value, name: name))))
        }
        headers.append(("MIME-Version", "1.0"))

        var lines = headers.map { "\($0.0): \($0.1)" }
        if let html = message.html {
            let boundary = "banquet-\(UUID().uuidString.lowercased())"
            lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a multi-part message in MIME format.")
            for (subtype, body) in [("plain", message.text), ("html", html)] {
                lines.append("--\(boundary)")
                lines += textPart(subtype: subtype, body: body)
            }
            lines.append("--\(boundary)--")
        } else {
            lines += textPart(subtype: "plain", body: message.text)
        }
        return RenderedEmail(
            messageID: messageID,
            envelopeFrom: from.address,
            envelopeTo: recipients.map(\.address),
            date: date,
            data: lines.joined(separator: "\r\n") + "\r\n"
        )
    }

    private static func textPart(subtype: String, body: String) -> [String] {
        ["Content-Type: text/\(subtype); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", MIMEEncoding.quotedPrintable(body)]
    }

    /// The caller's `Message-ID` (bracketed if it was not), or a new one on the sender's domain.
    static func messageID(for message: EmailMessage, domain: String) throws(EmailError) -> String {
        guard let given = message.headers.first(where: { $0.key.lowercased() == "message-id" })?.value else {
            return "<\(UUID().uuidString.lowercased())@\(domain)>"
        }
        let bare = given.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
        guard EmailAddress.isValid(bare) else { throw .invalidMessage("Message-ID '\(given)' must look like <unique@domain>") }
        return "<\(bare)>"
    }

    private static func headerSafe(_ value: String, name: String) throws(EmailError) -> String {
        if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw .invalidMessage("header \(name) contains a line break")
        }
        return value
    }

}
