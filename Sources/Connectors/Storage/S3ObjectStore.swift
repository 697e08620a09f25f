import ConnectorKit
import Foundation
import NIOHTTP1

/// Any S3-compatible store (AWS S3, MinIO, moto, R2): one S3 bucket holds every Storage bucket,
/// each object at the S3 key `<bucket>/<name>`, addressed path-style
/// (`<endpoint>/<s3 bucket>/<bucket>/<name>`) so no DNS per bucket is needed.
///
/// Requests are signed by ConnectorKit's one `SigV4Signer`. A PUT is atomic in S3 (an object is
/// visible whole or not at all), so staging keeps the bytes in memory and `publish` is the PUT.
public struct S3ObjectStore: ObjectStore {
    public struct Configuration: Sendable {
        public var endpoint: URL
        public var bucket: String
        public var region: String
        public var credentials: SigV4Signer.Credentials
        public var timeout: Duration

        public init(endpoint: URL, bucket: String, region: String, credentials: SigV4Signer.Credentials, timeout: Duration = .seconds(60)) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.credentials = credentials
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport
    let signer: SigV4Signer

    public init(configuration: Configuration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
    }

    public var description: String {
        "s3 \(Redaction.url(configuration.endpoint))/\(configuration.bucket) (\(configuration.region))"
    }

    /// Each segment encoded once, as S3 expects (`SigV4Signer` signs S3 paths single-encoded).
    func url(bucket: String, key: String) throws -> URL {
        try ObjectStoreError.validate(bucket: bucket, key: key)
        let path = ([configuration.bucket, bucket] + key.split(separator: "/").map(String.init))
            .map { SigV4Signer.uriEncode($0) }.joined(separator: "/")
        var base = configuration.endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/" + path) else { throw ObjectStoreError.invalidKey(key) }
        return url
    }

    func send(_ method: HTTPMethod, _ url: URL, headers: HTTPHeaders = [:], body: [UInt8] = []) async throws -> HTTPResponseSpec {
        var request = HTTPRequestSpec(method: method, url: url, headers: headers, body: body, timeout: configuration.timeout)
        signer.sign(&request)
        do {
            return try await transport.send(request)
        } catch {
            throw ObjectStoreError.backend("S3 \(request.redactedDescription) failed: \(error)")
        }
    }

    /// S3 explains a refusal in an XML `<Code>` (`SignatureDoesNotMatch`, `NoSuchBucket`, …).
    func failure(_ response: HTTPResponseSpec, _ what: String) -> ObjectStoreError {
        let text = String(decoding: response.body.prefix(2048), as: UTF8.self)
        var code = "HTTP \(response.status)"
        if let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex) {
            code += " " + text[start.upperBound..<end.lowerBound]
        }
        return .backend("S3 \(what): \(code)")
    }

    public func stage(_ body: [UInt8], bucket: String, key: String, contentType: String, cacheControl: String) async throws -> StagedObject {
        _ = try url(bucket: bucket, key: key)
        return StagedObject(bucket: bucket, key: key, contentType: contentType, cacheControl: cacheControl, size: body.count, holding: .bytes(body))
    }

    public func publish(_ staged: StagedObject) async throws {
        guard case .bytes(let body) = staged.holding else { throw ObjectStoreError.backend("not staged by this store") }
        // Content-Length is set by the transport from the body (unsigned, as S3 allows).
        var headers: HTTPHeaders = [:]
        if !staged.contentType.isEmpty { headers.add(name: "Content-Type", value: staged.contentType) }
        if !staged.cacheControl.isEmpty { headers.add(name: "Cache-Control", value: staged.cacheControl) }
        let response = try await send(.PUT, try url(bucket: staged.bucket, key: staged.key), headers: headers, body: body)
        guard (200..<300).contains(response.status) else { throw failure(response, "PUT \(staged.bucket)/\(staged.key)") }
    }

    public func discard(_ staged: StagedObject) async {}

    public func read(bucket: String, key: String) async throws -> [UInt8]? {
        let response = try await send(.GET, try url(bucket: bucket, key: key))
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw failure(response, "GET \(bucket)/\(key)") }
        return response.body
    }

    public func delete(bucket: String, key: String) async throws {
        let response = try await send(.DELETE, try url(bucket: bucket, key: key))
        guard (200..<300).contains(response.status) || response.status == 404 else { throw failure(response, "DELETE \(bucket)/\(key)") }
    }

    /// CopyObject: the source names the S3 bucket and key, URL-encoded. S3 can answer 200 with an
    /// `<Error>` body when a copy fails midway, so the body is checked too.
    public func copy(bucket: String, from source: String, to destination: String) async throws {
        let sourceURL = try url(bucket: bucket, key: source)
        let copySource = sourceURL.path(percentEncoded: true)
        let response = try await send(.PUT, try url(bucket: bucket, key: destination), headers: ["x-amz-copy-source": copySource])
        guard (200..<300).contains(response.status), !String(decoding: response.body.prefix(512), as: UTF8.self).contains("<Error>") else {
            throw failure(response, "copy \(bucket)/\(source) to \(destination)")
        }
    }
}
