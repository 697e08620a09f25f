import Connectors
import Foundation
import Logging
import NIOSSL
import Testing

@Suite("SMTP email transport (against a real aiosmtpd server)")
struct SMTPTransportTests {
    let logger = Logger(label: "banquet.tests.smtp")

    func transport(port: Int, username: String? = nil, password: String? = nil, startTLS: SMTPConfiguration.StartTLS = .never, timeout: Int = 5, tls: TLSConfiguration = .makeClientConfiguration()) -> SMTPTransport {
        SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, username: username, password: password, startTLS: startTLS, timeoutSeconds: timeout, tls: tls), logger: logger)
    }

    let message = EmailMessage(
        from: "Banquet <no-reply@banquet.local>",
        to: ["guest@example.com", "planner@example.com"],
        subject: "Your proposal — Grüße",
        text: "Dear guest,\n.\n..two dots\nSee you soon.",
        html: "<p>Dear guest</p>",
        headers: ["Message-ID": "<job-9@banquet.local>"]
    )

    @Test("delivers: envelope, subject, body (dot-stuffed lines intact)")
    func delivers() async throws {
        let sink = try SMTPTestServer()
        defer { sink.stop() }

        let receipt = try await transport(port: sink.port).send(message)

        let received = try sink.received()
        #expect(received.count == 1)
        let mail = try #require(received.first)
        #expect(mail.mail_from == "no-reply@banquet.local")
        #expect(mail.rcpt_tos == ["guest@example.com", "planner@example.com"])
        let parsed = try EmailTestSupport.parse(Data(mail.data.utf8))
        #expect(parsed.subject == "Your proposal — Grüße")
        #expect(parsed.text == "Dear guest,\n.\n..two dots\nSee you soon.")
        #expect(parsed.html == "<p>Dear guest</p>")
        #expect(receipt == EmailReceipt(providerMessageID: "<job-9@banquet.local>", transport: "smtp"))
    }

    @Test("AUTH PLAIN and AUTH LOGIN with the right password", arguments: [false, true])
    func authenticates(onlyLogin: Bool) async throws {
        let sink = try SMTPTestServer(["--user", "mailer", "--password", "s3cret!"] + (onlyLogin ? ["--only-login"] : []))
        defer { sink.stop() }

        _ = try await transport(port: sink.port, username: "mailer", password: "s3cret!").send(message)

        #expect(try sink.received().map(\.login) == ["mailer"])
    }

    @Test("a wrong password is a permanent error carrying the server's reply")
    func wrongPassword() async throws {
        let sink = try SMTPTestServer(["--user", "mailer", "--password", "s3cret!"])
        defer { sink.stop() }

        let error = await #expect(throws: EmailError.self) {
            try await transport(port: sink.port, username: "mailer", password: "wrong").send(message)
        }

        #expect(error?.isRetryable == false)
        #expect(error?.serverReply == "535 5.7.8 Authentication credentials invalid")
        #expect(error?.description.contains("AUTH PLAIN") == true)
        #expect(error?.description.contains("wrong") == false)
        #expect(try sink.received().isEmpty)
    }

    @Test("a 550 recipient rejection is permanent and names the recipient")
    func recipientRejected() async throws {
        let sink = try SMTPTestServer(["--reject", "planner@example.com"])
        defer { sink.stop() }

        let error = await #expect(throws: EmailError.self) { try await transport(port: sink.port).send(message) }

        guard case .rejected(let command, let reply)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(command == "RCPT TO:<planner@example.com>")
        #expect(reply.code == 550)
        #expect(reply.text.contains("Recipient address rejected"))
        #expect(error?.isRetryable == false)
        #expect(try sink.received().isEmpty)
    }

    @Test("connection refused is retryable")
    func connectionRefused() async throws {
        // A port that was just free: nothing listens there.
        let sink = try SMTPTestServer()
        let port = sink.port
        sink.stop()

        let error = await #expect(throws: EmailError.self) { try await transport(port: port).send(message) }

        guard case .connectionFailed(_, let failedPort, _)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(failedPort == port)
        #expect(error?.isRetryable == true)
    }

    @Test("a server that never answers times out, retryably")
    func silentServerTimesOut() async throws {
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = ["python3", "-c", "import socket, sys, time\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\nprint(s.getsockname()[1], flush=True)\nc = s.accept()\nsys.stdin.read()"]
        let stdout = Pipe(), stdin = Pipe()
        listener.standardOutput = stdout
        listener.standardInput = stdin
        try listener.run()
        defer { try? stdin.fileHandleForWriting.close(); listener.waitUntilExit() }
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        let port = try #require(Int(String(decoding: line, as: UTF8.self)))

        let started = ContinuousClock.now
        let error = await #expect(throws: EmailError.self) { try await transport(port: port, timeout: 1).send(message) }

        #expect(error == .timedOut(during: "greeting", seconds: 1))
        #expect(error?.isRetryable == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("STARTTLS required but not offered is refused before any mail command")
    func startTLSRequiredButMissing() async throws {
        let sink = try SMTPTestServer()
        defer { sink.stop() }

        let error = await #expect(throws: EmailError.self) { try await transport(port: sink.port, startTLS: .required).send(message) }

        guard case .unsupported(let reason)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(reason.contains("does not offer STARTTLS"))
        #expect(try sink.received().isEmpty)
    }

    @Test("STARTTLS with a certificate generated for this test, then AUTH inside TLS")
    func startTLS() async throws {
        let directory = try EmailTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        _ = try EmailTestSupport.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        let sink = try SMTPTestServer(["--tls-cert", cert, "--tls-key", key, "--user", "mailer", "--password", "s3cret!"])
        defer { sink.stop() }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(cert)

        _ = try await transport(port: sink.port, username: "mailer", password: "s3cret!", startTLS: .required, tls: tls).send(message)

        let received = try sink.received()
        #expect(received.map(\.tls) == [true])
        #expect(received.map(\.login) == ["mailer"])
    }
}
