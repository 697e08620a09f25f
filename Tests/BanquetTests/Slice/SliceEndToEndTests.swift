import Foundation
import PostgresNIO
import Testing

/// The first slice end to end, with the real `banquet serve` process:
/// submit_inquiry (SQL, as anon) → trigger → bridge job → daemon → email → write-back.
@Suite("Inquiry slice, end to end")
struct SliceEndToEndTests {
    @Test("an inquiry becomes an .eml in the mailbox within 2 s and the notification is marked sent")
    func mailboxDelivery() async throws {
        let db = try await TestDatabase.migrated("slice_mailbox")
        let dataDirectory = try makeTemporaryDirectory("slice-mailbox")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let venue = try await InquirySlice.createVenue(in: db)
        let daemon = try DaemonProcess(databaseURL: db.url.urlString, environment: ["BANQUET_EMAIL_TRANSPORT": "mailbox"], dataDirectory: dataDirectory)
        try await daemon.start()

        let submittedAt = ContinuousClock.now
        _ = try await InquirySlice.submitAsAnon(db, venueID: venue.venueID)

        let mailbox = dataDirectory.appendingPathComponent("mailbox")
        let eml = try await eventually(within: .seconds(2)) { () -> URL? in
            let files = (try? FileManager.default.contentsOfDirectory(at: mailbox, includingPropertiesForKeys: nil)) ?? []
            return files.first { $0.pathExtension == "eml" }
        }
        let deliveredAfter = ContinuousClock.now - submittedAt
        let message = try String(contentsOf: eml, encoding: .utf8)
        #expect(message.contains("To: \(venue.notificationEmail)"))
        #expect(message.contains("Subject:"))

        let notification = try await eventually(within: .seconds(2)) { () -> (status: String, providerMessageID: String?)? in
            let n = try await InquirySlice.notification(in: db, venueID: venue.venueID)
            return n?.status == "sent" ? n : nil
        }
        #expect(notification.providerMessageID?.isEmpty == false)
        #expect(deliveredAfter < .seconds(2))

        #expect(await daemon.stop() == 0, "graceful SIGTERM exits 0:\n\(daemon.log())")
        try await db.drop()
    }

    @Test("the same inquiry is delivered through real SMTP to an aiosmtpd server")
    func smtpDelivery() async throws {
        let db = try await TestDatabase.migrated("slice_smtp")
        let dataDirectory = try makeTemporaryDirectory("slice-smtp")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let sink = try SMTPTestServer()
        defer { sink.stop() }
        let venue = try await InquirySlice.createVenue(in: db, notificationEmail: "sales@harbour.example")
        let daemon = try DaemonProcess(databaseURL: db.url.urlString, environment: [
            "BANQUET_EMAIL_TRANSPORT": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": String(sink.port),
            "SMTP_STARTTLS": "never",
            "EMAIL_FROM": "Banquet <no-reply@banquet.test>",
        ], dataDirectory: dataDirectory)
        try await daemon.start()

        _ = try await InquirySlice.submitAsAnon(db, venueID: venue.venueID)

        let received = try await eventually(within: .seconds(5)) { try sink.received().first }
        #expect(received.rcpt_tos == ["sales@harbour.example"])
        #expect(received.mail_from == "no-reply@banquet.test")
        #expect(received.data.contains("Subject:"))
        let notification = try await eventually(within: .seconds(5)) { () -> (status: String, providerMessageID: String?)? in
            let n = try await InquirySlice.notification(in: db, venueID: venue.venueID)
            return n?.status == "sent" ? n : nil
        }
        #expect(notification.providerMessageID?.isEmpty == false)
        #expect(await daemon.stop() == 0)
        try await db.drop()
    }

    @Test("bad input to submit_inquiry fails with its own SQLSTATE and writes nothing", arguments: [
        BadInquiry(label: "missing contact", email: nil, phone: nil, eventDateOffsetDays: 30, partySize: 10),
        BadInquiry(label: "party size 0", email: "guest@example.com", phone: nil, eventDateOffsetDays: 30, partySize: 0),
        BadInquiry(label: "date in the past", email: "guest@example.com", phone: nil, eventDateOffsetDays: -3, partySize: 10),
    ])
    func badInput(_ bad: BadInquiry) async throws {
        let db = try await TestDatabase.migrated("slice_bad")
        let venue = try await InquirySlice.createVenue(in: db)
        let before = try await tableCounts(db)

        var sqlState: String?
        var message: String?
        do {
            _ = try await InquirySlice.submitAsAnon(db, venueID: venue.venueID, email: bad.email, phone: bad.phone, eventDateOffsetDays: bad.eventDateOffsetDays, partySize: bad.partySize)
        } catch let error as PSQLError {
            sqlState = error.serverInfo?[.sqlState]
            message = error.serverInfo?[.message]
        }
        let expected = BadInquiry.expectedSQLState[bad.label]
        #expect(sqlState != nil, "\(bad.label) must be rejected")
        #expect(sqlState == expected, "\(bad.label): SQLSTATE \(sqlState ?? "none"), message \(message ?? "none")")
        #expect(message?.isEmpty == false)
        #expect(try await tableCounts(db) == before, "nothing written for \(bad.label)")
        try await db.drop()
    }

    private func tableCounts(_ db: TestDatabase) async throws -> [Int] {
        [
            try await InquirySlice.count("app.inquiries", in: db),
            try await InquirySlice.count("app.contacts", in: db),
            try await InquirySlice.count("app.notifications", in: db),
            try await InquirySlice.count("bridge.jobs", in: db),
        ]
    }
}

struct BadInquiry: Sendable, CustomTestStringConvertible {
    let label: String
    let email: String?
    let phone: String?
    let eventDateOffsetDays: Int
    let partySize: Int
    var testDescription: String { label }

    /// The SQLSTATEs `submit_inquiry` documents (docs/database.md, "First slice").
    static let expectedSQLState: [String: String] = [
        "missing contact": "BQ101",
        "party size 0": "BQ102",
        "date in the past": "BQ103",
    ]
}

/// Polls `body` until it returns a value or the time runs out.
func eventually<T>(within timeout: Duration, every interval: Duration = .milliseconds(25), _ body: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await body() { return value }
        if ContinuousClock.now >= deadline { throw EventuallyTimeout(timeout: timeout) }
        try await Task.sleep(for: interval)
    }
}

struct EventuallyTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "condition not met within \(timeout)" }
}
