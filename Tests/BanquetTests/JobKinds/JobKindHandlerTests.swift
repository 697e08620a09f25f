import BridgeRuntime
import Connectors
import Foundation
import JobKinds
import Logging
import Testing

/// Job kind handlers on their own, without the binary or a database: the registry decodes the
/// typed payload once and the handler performs against an offline connector.
@Suite("Job kind handlers")
struct JobKindHandlerTests {
    let logger = Logger(label: "banquet.tests.jobkinds")

    func job(_ kind: String, payload: String, id: Int64 = 7) -> ClaimedJob {
        ClaimedJob(id: id, queue: "email", kind: kind, payload: Data(payload.utf8), attempts: 1, maxAttempts: 5, leaseToken: UUID())
    }

    func context() -> JobContext {
        JobContext(logger: logger, deadline: .now + .seconds(30), idempotencyKey: "job-7")
    }

    @Test func emailSendDeliversToTheMailboxAndReturnsTheProviderMessageID() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let handler = EmailSendHandler(transport: MailboxTransport(directory: directory, logger: logger), defaultFrom: "Banquet <noreply@banquet.local>")
        let payload = try JSONDecoder().decode(EmailSendHandler.Payload.self, from: Data(#"{"to": "Guest@Example.com", "subject": "Your proposal", "text": "Hello"}"#.utf8))

        #expect(handler.rateLimitKeys(for: payload).map(\.description) == ["email:recipient=guest@example.com"])
        let result = try await handler.perform(payload, job: job(EmailSendHandler.kind, payload: "{}"), context: context())

        let written = try #require(result.json.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: String] })
        #expect(written["transport"] == "mailbox")
        #expect(written["provider_message_id"] == "<job-7@banquet.local>")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
    }

    @Test func aMalformedEmailPayloadIsRefusedOnceWithTheFieldNamed() throws {
        var registry = JobHandlerRegistry()
        registry.register(EmailSendHandler.kind, handler: EmailSendHandler(transport: MailboxTransport(directory: URL(fileURLWithPath: "/nonexistent"), logger: logger), defaultFrom: "x@y.z"))
        #expect(registry.kinds == [EmailSendHandler.kind])
        #expect(throws: JobFailure.self) {
            try job(EmailSendHandler.kind, payload: #"{"to": "a@b.c"}"#).decodePayload(EmailSendHandler.Payload.self)
        }
        do {
            _ = try job(EmailSendHandler.kind, payload: #"{"to": "a@b.c"}"#).decodePayload(EmailSendHandler.Payload.self)
        } catch {
            #expect("\(error)" == "malformed payload for email.send: missing key 'subject'")
        }
    }

    @Test func httpPostRefusesANonHTTPURLAsAMalformedPayload() throws {
        #expect(throws: JobFailure.self) {
            try job(HTTPPostHandler.kind, payload: #"{"url": "file:///etc/passwd"}"#).decodePayload(HTTPPostHandler.Payload.self)
        }
        let payload = try job(HTTPPostHandler.kind, payload: #"{"url": "https://hooks.example/x?token=1", "body": {"n": 1, "ok": true}, "rate_key": "acct"}"#)
            .decodePayload(HTTPPostHandler.Payload.self)
        #expect(payload.body == .object(["n": .number(1), "ok": .bool(true)]))
        let handler = HTTPPostHandler(transport: testHTTPTransport)
        #expect(handler.rateLimitKeys(for: payload).map(\.description) == ["http.post:host=hooks.example", "http.post:key=acct"])
    }
}
