import Crypto
import Foundation
import NIOHTTP1

/// AWS Signature Version 4: the one signer for every AWS call Banquet makes (Bedrock, S3).
///
/// Follows the published algorithm step by step (canonical request → string to sign → signing
/// key → signature) and is checked against AWS's own test-suite vectors. The steps are exposed in
/// `Signature` because AWS answers a mismatch with the canonical request it expected; comparing
/// the two is the fastest way to find the difference.
///
/// Paths are taken exactly as they go on the wire. A Bedrock model id such as
/// `anthropic.claude-3:0`, or an inference-profile ARN with `:` and `/`, must be sent as one
/// percent-encoded segment (`SigV4Signer.uriEncode`) and is then encoded a second time in the
/// canonical URI, as every service but S3 expects.
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable {
        public var accessKeyID: String
        public var secretAccessKey: String
        /// Present for temporary credentials (STS, an ECS task role); sent and signed as
        /// `X-Amz-Security-Token`.
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// How the canonical URI encodes the path: AWS's one deliberate inconsistency.
    public enum PathEncoding: Sendable {
        /// Every service except S3: each segment of the wire path is URI-encoded again, so `%3A`
        /// on the wire is `%253A` in the canonical URI.
        case double
        /// S3: the canonical URI is the path encoded once (object keys are signed as sent).
        case single
    }

    /// The intermediate strings and the headers to add to the request.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
        /// `X-Amz-Date`, `X-Amz-Security-Token` and `X-Amz-Content-Sha256` as applicable, then
        /// `Authorization`: every header the request must carry besides those it was signed with.
        public var headers: [(name: String, value: String)]
    }

    static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers that proxies and client libraries add or rewrite after signing.
    static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "x-amzn-trace-id", "expect", "connection"]

    public var credentials: Credentials
    public var region: String
    public var service: String
    public var pathEncoding: PathEncoding
    /// S3 requires `X-Amz-Content-Sha256`; other services accept it and ignore it.
    public var sendsContentSHA256: Bool
    /// Injectable so tests can sign at the test suite's fixed moment.
    public var clock: @Sendable () -> Date

    /// `pathEncoding` and `sendsContentSHA256` default to what `service` expects (`s3`: single
    /// encoding and the content hash header; anything else: double encoding, no header).
    public init(
        credentials: Credentials, region: String, service: String, pathEncoding: PathEncoding? = nil,
        sendsContentSHA256: Bool? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.pathEncoding = pathEncoding ?? (service == "s3" ? .single : .double)
        self.sendsContentSHA256 = sendsContentSHA256 ?? (service == "s3")
        self.clock = clock
    }

    /// Signs `request` in place: adds `Host` if absent, then the signing headers.
    public func sign(_ request: inout HTTPRequestSpec) {
        if !request.headers.contains(name: "Host"), let host = request.url.host {
            let port = request.url.port.map { ":\($0)" } ?? ""
            request.headers.add(name: "Host", value: host + port)
        }
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: true)
        let signature = signature(
            method: request.method.rawValue, path: components?.percentEncodedPath ?? "/",
            query: components?.percentEncodedQuery ?? "", headers: request.headers.map { ($0.name, $0.value) },
            body: request.body)
        for header in signature.headers {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
    }

    /// Computes the signature of a request given as wire parts.
    ///
    /// - Parameters:
    ///   - path: the path as sent, percent-encoded where the sender encoded it.
    ///   - query: the query string as sent, without `?`.
    ///   - headers: every header the request carries, `Host` included; all of them are signed
    ///     except a few that intermediaries rewrite (`User-Agent`, …).
    public func signature(
        method: String, path: String, query: String, headers: [(String, String)], body: [UInt8]
    ) -> Signature {
        let amzDate = Self.amzDate(clock())
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let payloadHash = Self.hex(SHA256.hash(data: body))

        var added: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        if sendsContentSHA256 { added.append(("X-Amz-Content-Sha256", payloadHash)) }

        // 1. Canonical headers: lowercase names, trimmed values with inner runs of spaces folded,
        //    repeated names joined by commas in the order sent, sorted by name.
        var values: [String: [String]] = [:]
        let replaced = Set(added.map { $0.name.lowercased() })
        for (name, value) in headers where !replaced.contains(name.lowercased()) {
            values[name.lowercased(), default: []].append(Self.foldSpaces(value))
        }
        for (name, value) in added { values[name.lowercased(), default: []].append(value) }
        let signed = values.keys.filter { !Self.unsignedHeaders.contains($0) }.sorted()
        let canonicalHeaders = signed.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = signed.joined(separator: ";")

        // 2. Canonical request.
        let canonicalRequest = [
            method.uppercased(), canonicalURI(path), Self.canonicalQuery(query), canonicalHeaders, signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        // 3. String to sign.
        let stringToSign = [
            Self.algorithm, amzDate, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        // 4. Signing key: HMAC chain over date, region, service, "aws4_request".
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(amzDate.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))

        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization, headers: added + [("Authorization", authorization)])
    }

    /// URI-encodes `text` as AWS specifies: every byte except the unreserved characters
    /// `A-Z a-z 0-9 - . _ ~` becomes `%XX` (uppercase hex), `/` and `:` included. Use it to put a
    /// model id or an ARN into one path segment.
    public static func uriEncode(_ text: some StringProtocol) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            switch pathEncoding {
            case .double: Self.uriEncode(segment)
            case .single: Self.uriEncode(Self.percentDecode(segment))
            }
        }.joined(separator: "/")
    }

    /// Names and values decoded from the wire, encoded the AWS way, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        let pairs: [(name: String, value: String)] = query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? uriEncode(percentDecode(parts[1])) : ""
            return (uriEncode(percentDecode(parts[0])), value)
        }
        let sorted = pairs.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Decodes `%XX` escapes; anything that is not a valid escape is kept as it is.
    static func percentDecode(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let high = hexValue(utf8[utf8.startIndex]),
               let low = hexValue(utf8[utf8.startIndex + 1]) {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    static func foldSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `20150830T123600Z`.
    static func amzDate(_ date: Date) -> String {
        let t = UTCDateTime(date)
        return String(t.year).leftPadded(to: 4) + [t.month, t.day].map { String($0).leftPadded(to: 2) }.joined()
            + "T" + [t.hour, t.minute, t.second].map { String($0).leftPadded(to: 2) }.joined() + "Z"
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
