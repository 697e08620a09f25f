import BanquetCore
@testable import Connectors
import Foundation
import Logging
import Testing

@Suite("Email configuration and MIME rendering")
struct EmailConfigurationTests {
    @Test("defaults: the offline mailbox under the data directory")
    func defaults() throws {
        let configuration = try EmailConfiguration.fromEnvironment(Environment(["BANQUET_DATA_DIR": "/srv/banquet"]))

        #expect(configuration.transport == .mailbox)
        #expect(configuration.mailboxDirectory.path == "/srv/banquet/mailbox")
        #expect(configuration.from == "Banquet <no-reply@banquet.local>")
        #expect(makeEmailTransport(configuration: configuration, logger: Logger(label: "t")) is MailboxTransport)
    }

    @Test("SMTP settings from the environment")
    func smtp() throws {
        let configuration = try EmailConfiguration.fromEnvironment(Environment([
            "BANQUET_EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "smtp.example.com", "SMTP_PORT": "2525",
            "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p", "SMTP_STARTTLS": "if-available", "SMTP_TIMEOUT_SECONDS": "7",
            "EMAIL_FROM": "Venue <hello@venue.example>",
        ]))

        let smtp = try #require(configuration.smtp)
        #expect(smtp.host == "smtp.example.com")
        #expect(smtp.port == 2525)
        #expect(smtp.username == "u")
        #expect(smtp.password == "p")
        #expect(smtp.startTLS == .ifAvailable)
        #expect(smtp.timeoutSeconds == 7)
        #expect(configuration.from == "Venue <hello@venue.example>")
        #expect(makeEmailTransport(configuration: configuration, logger: Logger(label: "t")) is SMTPTransport)
    }

    @Test("bad settings are configuration errors that name the variable", arguments: [
        (["BANQUET_EMAIL_TRANSPORT": "carrier-pigeon"], "BANQUET_EMAIL_TRANSPORT"),
        (["BANQUET_EMAIL_TRANSPORT": "smtp"], "SMTP_HOST"),
        (["BANQUET_EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_STARTTLS": "maybe"], "SMTP_STARTTLS"),
        (["BANQUET_EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_USERNAME": "u"], "SMTP_PASSWORD"),
        (["EMAIL_FROM": "nobody"], "EMAIL_FROM"),
    ])
    func badSettings(values: [String: String], variable: String) {
        let error = #expect(throws: BanquetError.self) { try EmailConfiguration.fromEnvironment(Environment(values)) }
        #expect(error?.description.contains(variable) == true)
    }

    @Test("quoted-printable keeps lines within 76 characters and encodes '=' and trailing spaces")
    func quotedPrintable() {
        let encoded = MIMEEncoding.quotedPrintable(String(repeating: "é=", count: 40) + " \nnext\t")

        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(encoded.hasPrefix("=C3=A9=3D"))
        #expect(encoded.hasSuffix("=20\r\nnext=09"))
    }

    @Test("encoded words stay within 75 characters and never split a character")
    func encodedWords() {
        let words = MIMEEncoding.encodedWords(String(repeating: "ü🎉", count: 20))

        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?utf-8?B?") && $0.hasSuffix("?=") })
        let decoded = words.map { Data(base64Encoded: String($0.dropFirst(10).dropLast(2)))! }.map { String(data: $0, encoding: .utf8) }
        #expect(decoded.allSatisfy { $0 != nil })
        #expect(decoded.compactMap { $0 }.joined() == String(repeating: "ü🎉", count: 20))
    }

    @Test("SMTP dot-stuffing doubles a leading dot and ends with CRLF.CRLF")
    func dotStuffing() {
        #expect(SMTPTransport.dotStuffed("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n")
    }

    @Test("multi-line EHLO replies list extensions and AUTH mechanisms")
    func ehloExtensions() {
        let extensions = SMTPExtensions(ehloReply: SMTPReply(code: 250, lines: ["mx.example.com Hello", "PIPELINING", "STARTTLS", "AUTH LOGIN PLAIN", "AUTH=LOGIN"]))

        #expect(extensions.offersStartTLS)
        #expect(extensions.authMechanisms == ["LOGIN", "PLAIN"])
    }
}
