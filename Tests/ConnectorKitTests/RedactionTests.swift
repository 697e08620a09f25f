import ConnectorKit
import Foundation
import NIOHTTP1
import Testing

@Suite struct RedactionTests {
    @Test func urlLosesCredentialsQueryAndFragment() throws {
        let url = try #require(URL(string: "https://user:hunter2@api.example.com:8443/v1/messages?access_token=abc&x=1#frag"))
        #expect(Redaction.url(url) == "https://api.example.com:8443/v1/messages")
        #expect(Redaction.url("https://api.example.com/v1/x?key=secret") == "https://api.example.com/v1/x")
        #expect(Redaction.url("not a url://user:pw@host/p?token=1") == "not a url://***@host/p")
    }

    @Test func pathEncodingIsKeptSoTheLogShowsWhatWasSent() throws {
        let url = try #require(URL(string: "https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3A0/converse?x=1"))
        #expect(Redaction.url(url) == "https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3A0/converse")
    }

    @Test(arguments: [
        ("Authorization", true), ("proxy-authorization", true), ("Cookie", true), ("X-Api-Key", true), ("api-key", true),
        ("X-Auth-Token", true), ("X-Webhook-Secret", true), ("Ocp-Apim-Subscription-Key", true),
        ("X-Amz-Security-Token", true), ("Content-Type", false), ("Idempotency-Key", true), ("Accept", false),
        ("X-Amz-Date", false),
    ])
    func secretHeaders(name: String, secret: Bool) {
        #expect(Redaction.isSecretHeader(name) == secret)
    }

    @Test func headersAreMaskedButKept() {
        let headers: HTTPHeaders = ["Authorization": "Bearer sk-live-123", "Content-Type": "application/json"]
        let redacted = Redaction.headers(headers)
        #expect(redacted["Authorization"] == ["***"])
        #expect(redacted["Content-Type"] == ["application/json"])
    }

    @Test func knownSecretsAreRemovedFromText() {
        let text = "401 from provider: invalid key sk-live-123456 (prefix sk-live) for account acct_9"
        let redacted = Redaction.secrets(["sk-live", "sk-live-123456", "", "ab"], in: text)
        #expect(redacted == "401 from provider: invalid key *** (prefix ***) for account acct_9")
    }
}
