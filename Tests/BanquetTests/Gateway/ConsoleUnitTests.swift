import BanquetCore
import Foundation
@testable import Gateway
import Testing

/// The pure parts of `/console`: escaping, MIME reading, file names, sessions, redaction. The
/// console itself is tested end to end in a real browser (tests/browser/test_console.py).
@Suite("Console units")
struct ConsoleUnitTests {
    @Test func interpolationEscapesUnlessTheValueIsHTML() {
        let hostile = #"<script>alert("x")</script> & 'y'"#
        let fragment: HTML = "<td title=\"\(hostile)\">\(hostile)</td>"
        #expect(fragment.rendered == "<td title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</td>")
        let nested: HTML = "<tr>\(fragment)\(42)</tr>"
        #expect(nested.rendered.hasPrefix("<tr><td title="))
        #expect(nested.rendered.hasSuffix("</td>42</tr>"))
    }

    @Test func readsAMultipartMessageWithEncodedHeadersAndBodies() {
        let raw = [
            "Date: Sun, 29 Nov 2026 10:00:00 +0000",
            "From: Banquet <no-reply@banquet.local>",
            "To: ana@example.com,",
            " bo@example.com",
            "Subject: =?utf-8?B?Q2Fmw6kg?= =?utf-8?Q?r=C3=A9serv=C3=A9_<b>?=",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;",
            " boundary=\"b1\"",
            "",
            "preamble",
            "--b1",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Total: 1 200,00 =E2=82=AC =3D deposit due, a long line that was soft-=",
            "broken.",
            "--b1",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Data("<p>Hello <script>x()</script></p>".utf8).base64EncodedString(),
            "--b1--",
            "",
        ].joined(separator: "\r\n")
        let message = MailMessage(parsing: raw)
        #expect(message.header("subject") == "Café réservé <b>")
        #expect(message.header("To") == "ana@example.com, bo@example.com")
        #expect(message.text == "Total: 1 200,00 € = deposit due, a long line that was soft-broken.")
        #expect(message.html == "<p>Hello <script>x()</script></p>")
        #expect(MailMessage(headersOf: raw).header("From") == "Banquet <no-reply@banquet.local>")
    }

    @Test func aSinglePartMessageIsItsOwnTextPart() {
        let message = MailMessage(parsing: "Subject: plain\n\nline one\nline two\n")
        #expect(message.text == "line one\nline two\n")
        #expect(message.html == nil)
    }

    @Test func onlyPlainNamesInsideTheDirectoryAreRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("Subject: a\n\nA".utf8).write(to: directory.appendingPathComponent("20261129T100000.000Z_job-1@banquet.local.eml"))
        try Data("half".utf8).write(to: directory.appendingPathComponent(".20261129T100001.000Z_job-2@banquet.local.eml.tmp"))
        try Data("secret".utf8).write(to: directory.deletingLastPathComponent().appendingPathComponent("outside-\(directory.lastPathComponent).eml"))
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("link.eml"), withDestinationURL: directory.deletingLastPathComponent().appendingPathComponent("outside-\(directory.lastPathComponent).eml"))
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().appendingPathComponent("outside-\(directory.lastPathComponent).eml")) }

        let files = OfflineFiles(directory: directory) { $0.hasSuffix(".eml") }
        #expect(files.list().map(\.name) == ["20261129T100000.000Z_job-1@banquet.local.eml"])
        #expect(files.read("20261129T100000.000Z_job-1@banquet.local.eml") == "Subject: a\n\nA")
        for name in ["../outside-\(directory.lastPathComponent).eml", "..%2Fx.eml", "link.eml", ".20261129T100001.000Z_job-2@banquet.local.eml.tmp",
                     "/etc/passwd", "a/../b.eml", "..", "missing.eml", "x.json"] {
            #expect(files.read(name) == nil, "\(name)")
        }
    }

    @Test func sessionCookiesVerifyAndCannotBeForgedOrKeptPastExpiry() async throws {
        let environment = Environment(["BANQUET_JWT_SECRET": String(repeating: "s", count: 40), "BANQUET_CONSOLE_TOKEN": "operator-token-0123456789"])
        let access = try ConsoleAccess(issuer: await TokenIssuer(secret: String(repeating: "s", count: 40)), environment: environment)
        let cookie = access.newSessionCookie()
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("operator-token"))
        let value = String(cookie.split(separator: ";")[0].dropFirst(ConsoleAccess.cookieName.count + 1))
        #expect(access.isValidSession(value))
        #expect(!access.isValidSession(value, now: Date().addingTimeInterval(ConsoleAccess.sessionLifetime + 1)))
        let parts = value.split(separator: ".")
        #expect(!access.isValidSession("\(Int(parts[0])! + 3600).\(parts[1])"))  // a longer life is not signed
        let otherToken = try ConsoleAccess(issuer: await TokenIssuer(secret: String(repeating: "s", count: 40)),
                                           environment: Environment(["BANQUET_JWT_SECRET": String(repeating: "s", count: 40), "BANQUET_CONSOLE_TOKEN": "another-token-0123456789"]))
        #expect(!otherToken.isValidSession(value))  // rotating the token ends sessions
    }

    @Test func onlyTheConsoleTokenAndTheServiceRoleKeyAreAccepted() async throws {
        let secret = String(repeating: "k", count: 40)
        let issuer = await TokenIssuer(secret: secret)
        let access = try ConsoleAccess(issuer: issuer, environment: Environment(["BANQUET_JWT_SECRET": secret, "BANQUET_CONSOLE_TOKEN": "operator-token-0123456789"]))
        #expect(await access.accepts("operator-token-0123456789"))
        #expect(!(await access.accepts("operator-token-012345678")))
        #expect(await access.accepts(try await issuer.sign(AccessTokenClaims(role: "service_role", ttl: 60))))
        #expect(!(await access.accepts(try await issuer.sign(AccessTokenClaims(role: "anon", ttl: 60)))))
        #expect(!(await access.accepts(try await issuer.sign(AccessTokenClaims(sub: UUID().uuidString, role: "authenticated", ttl: 60)))))
        #expect(throws: BanquetError.self) {
            try ConsoleAccess(issuer: issuer, environment: Environment(["BANQUET_JWT_SECRET": secret, "BANQUET_CONSOLE_TOKEN": "short"]))
        }
    }

    @Test func aPaymentsOutboxFileShowsItsAmountInTheCurrencysOwnDecimals() {
        let yen = ConsoleRoutes.outboxSummary(channel: "payments", json: #"{"bookingID": "b1", "description": "Deposit", "amountMinor": 15000, "currency": "JPY"}"#)
        #expect(yen.to == "booking b1" && yen.text == "Deposit JPY 15,000")
        let pounds = ConsoleRoutes.outboxSummary(channel: "payments", json: #"{"bookingID": "b2", "description": "Deposit", "amountMinor": 46089, "currency": "GBP"}"#)
        #expect(pounds.text == "Deposit GBP 460.89")
    }

    @Test func secretNamedKeysAreRedactedAtAnyDepth() {
        let pretty = PayloadRedaction.prettyJSON(#"{"to":"a@b.c","api_token":"t1","nested":[{"Password":"p","x":1}],"authorization":{"k":"v"}}"#)
        #expect(!pretty.contains("t1") && !pretty.contains("\"p\"") && !pretty.contains("\"v\""))
        #expect(pretty.contains("a@b.c") && pretty.contains("***"))
        #expect(PayloadRedaction.prettyJSON("not json <b>") == "not json <b>")
    }

    @Test func afterLoginOnlyConsolePathsAreFollowed() {
        #expect(ConsoleRoutes.safeNext("/console/jobs?status=dead") == "/console/jobs?status=dead")
        for next in ["https://evil.example/", "//evil.example/console", "/console//evil", "/console\\evil", "/rest/v1/", nil] {
            #expect(ConsoleRoutes.safeNext(next) == "/console", "\(String(describing: next))")
        }
    }
}
