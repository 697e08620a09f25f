import ConnectorKit
import Foundation
import NIOHTTP1
import Testing

@Suite struct SigV4SignerTests {
    /// The test suite's credentials and moment, 2015-08-30T12:36:00Z.
    static let credentials = SigV4Signer.Credentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let moment = Date(timeIntervalSince1970: 1_440_938_160)

    static func signer(service: String = "service", sessionToken: String? = nil, signsBody: Bool = false) -> SigV4Signer {
        var credentials = credentials
        credentials.sessionToken = sessionToken
        return SigV4Signer(
            credentials: credentials, region: "us-east-1", service: service, sendsContentSHA256: signsBody,
            clock: { moment })
    }

    @Test(arguments: SigV4Vector.all)
    func awsTestSuiteVector(_ vector: SigV4Vector) {
        let signature = Self.signer(sessionToken: vector.sessionToken, signsBody: vector.signsBody).signature(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            body: Array(vector.body.utf8))

        #expect(signature.canonicalRequest == vector.canonicalRequest)
        #expect(signature.stringToSign == vector.stringToSign)
        #expect(signature.authorization == vector.authorization)
    }

    /// The worked example in AWS's "Signature Version 4 signing process" documentation (General
    /// Reference: create a canonical request / string to sign / calculate the signature):
    /// IAM `ListUsers`, same credentials and moment as the test suite.
    @Test func iamListUsersDocumentationExample() {
        let signature = Self.signer(service: "iam").signature(
            method: "GET", path: "/", query: "Action=ListUsers&Version=2010-05-08",
            headers: [
                ("Host", "iam.amazonaws.com"),
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            body: [])

        #expect(signature.canonicalRequest == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signature.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/iam/aws4_request
            f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
            """)
        #expect(signature.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    /// Bedrock: the model id goes on the wire as one encoded segment and is encoded again in the
    /// canonical URI. Signing the single-encoded form is the classic "signature does not match".
    @Test(arguments: [
        ("anthropic.claude-3:0", "anthropic.claude-3%3A0", "anthropic.claude-3%253A0"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20240620-v1%3A0",
            "arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-3-5-sonnet-20240620-v1%253A0"
        ),
    ])
    func bedrockModelIDIsDoubleEncodedInTheCanonicalURI(modelID: String, wire: String, canonical: String) throws {
        #expect(SigV4Signer.uriEncode(modelID) == wire)
        let url = try #require(URL(string: "https://bedrock-runtime.us-east-1.amazonaws.com/model/\(wire)/converse"))
        var request = HTTPRequestSpec(method: .POST, url: url, body: Array("{}".utf8), timeout: .seconds(5))

        Self.signer(service: "bedrock").sign(&request)

        let signature = Self.signer(service: "bedrock").signature(
            method: "POST", path: "/model/\(wire)/converse", query: "",
            headers: [("Host", "bedrock-runtime.us-east-1.amazonaws.com")], body: Array("{}".utf8))
        #expect(signature.canonicalRequest.split(separator: "\n")[1] == "/model/\(canonical)/converse")
        #expect(request.headers["Authorization"] == [signature.authorization])
        #expect(request.headers["Host"] == ["bedrock-runtime.us-east-1.amazonaws.com"])
        #expect(request.headers["X-Amz-Date"] == ["20150830T123600Z"])
    }

    /// S3 signs the key as sent, encoded once, and needs the payload hash header.
    @Test func s3EncodesThePathOnceAndSendsTheContentHash() throws {
        let url = try #require(URL(string: "https://bucket.s3.eu-west-1.amazonaws.com/menus/a%20b%3A1.pdf"))
        var request = HTTPRequestSpec(method: .GET, url: url, timeout: .seconds(5))
        let signer = SigV4Signer(credentials: Self.credentials, region: "eu-west-1", service: "s3", clock: { Self.moment })

        signer.sign(&request)

        let signature = signer.signature(
            method: "GET", path: "/menus/a%20b%3A1.pdf", query: "",
            headers: [("Host", "bucket.s3.eu-west-1.amazonaws.com")], body: [])
        let lines = signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/menus/a%20b%3A1.pdf")
        #expect(lines.contains("x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(request.headers["X-Amz-Content-Sha256"] == ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
        #expect(request.headers["Authorization"] == [signature.authorization])
    }

    @Test func sessionTokenIsSentAndSigned() throws {
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        var request = HTTPRequestSpec(method: .GET, url: url, timeout: .seconds(5))

        Self.signer(sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267").sign(&request)

        // Same as the suite's get-vanilla-with-session-token vector, through `sign(_:)`.
        let vector = try #require(SigV4Vector.all.first { $0.name == "get-vanilla-with-session-token" })
        #expect(request.headers["X-Amz-Security-Token"] == ["6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"])
        #expect(request.headers["Authorization"] == [vector.authorization])
    }
}
