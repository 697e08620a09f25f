import Connectors
import Foundation
import Logging
import Testing

@Suite("Mailbox email transport")
struct MailboxTransportTests {
    let logger = Logger(label: "banquet.tests.email")

    @Test("writes an RFC 5322 .eml that a real parser reads back: headers, UTF-8 subject, both bodies")
    func writesParseableEML() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = MailboxTransport(directory: directory, logger: logger)
        let text = "Grüße aus der Küche!\n.this line starts with a dot\n" + String(repeating: "long line with = signs and spaces ", count: 6) + "\nend "
        let message = EmailMessage(
            from: "Bäckerei Müller <kitchen@venue.example>",
            to: ["guest@example.com", "Planner, Events <planner@example.com>"],
            replyTo: "events@venue.example",
            subject: "Angebot für 40 Gäste — Sommerfest 🎉 mit einem ausgesprochen langen Betreff, der umgebrochen werden muss",
            text: text,
            html: "<p>Grüße aus der <b>Küche</b></p>",
            headers: ["Message-ID": "job-42@banquet.local", "X-Banquet-Job": "42"]
        )

        let receipt = try await transport.send(message)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        let fileName = try #require(files.first)
        #expect(fileName.hasSuffix("_job-42@banquet.local.eml"))
        #expect(fileName.range(of: #"^\d{8}T\d{6}\.\d{3}Z_"#, options: .regularExpression) != nil)
        #expect(receipt == EmailReceipt(providerMessageID: "<job-42@banquet.local>", transport: "mailbox"))

        let raw = try Data(contentsOf: directory.appendingPathComponent(fileName))
        let rawText = String(decoding: raw, as: UTF8.self)
        #expect(rawText.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 78 })
        #expect(!rawText.replacingOccurrences(of: "\r\n", with: "").contains("\n"))  // CRLF only
        let parsed = try EmailTestSupport.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == "Bäckerei Müller <kitchen@venue.example>")
        #expect(parsed.to == "guest@example.com, \"Planner, Events\" <planner@example.com>")
        #expect(parsed.replyTo == "events@venue.example")
        #expect(parsed.messageID == "<job-42@banquet.local>")
        #expect(parsed.mimeVersion == "1.0")
        #expect(parsed.contentType == "multipart/alternative")
        #expect(parsed.headers["X-Banquet-Job"] == "42")
        #expect(parsed.date.range(of: #"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$"#, options: .regularExpression) != nil)
        #expect(parsed.text == text)
        #expect(parsed.html == "<p>Grüße aus der <b>Küche</b></p>")
    }

    @Test("a text-only message is a single text/plain part")
    func textOnly() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let receipt = try await MailboxTransport(directory: directory, logger: logger).send(EmailMessage(from: "a@example.com", to: ["b@example.com"], subject: "Hi", text: "Plain body"))

        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first)
        let parsed = try EmailTestSupport.parse(Data(contentsOf: directory.appendingPathComponent(file)))
        #expect(parsed.contentType == "text/plain")
        #expect(parsed.text == "Plain body")
        #expect(receipt.providerMessageID.hasSuffix("@example.com>"))
        #expect(parsed.messageID == receipt.providerMessageID)
    }

    @Test("sending the same Message-ID again (a retried job) writes no second file")
    func idempotentByMessageID() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = MailboxTransport(directory: directory, logger: logger)
        let message = EmailMessage(from: "a@example.com", to: ["b@example.com"], subject: "Hi", text: "x", headers: ["Message-ID": "<job-7@banquet.local>"])

        let first = try await transport.send(message)
        let second = try await transport.send(message)

        #expect(first == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
    }

    @Test("invalid addresses and header injection are permanent errors")
    func invalidInput() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = MailboxTransport(directory: directory, logger: logger)

        await #expect(throws: EmailError.invalidAddress("not-an-address")) {
            try await transport.send(EmailMessage(from: "a@example.com", to: ["not-an-address"], subject: "Hi", text: "x"))
        }
        let injected = await #expect(throws: EmailError.self) {
            try await transport.send(EmailMessage(from: "a@example.com", to: ["b@example.com"], subject: "Hi\r\nBcc: victim@example.com", text: "x"))
        }
        #expect(injected?.isRetryable == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
