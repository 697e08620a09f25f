import BanquetCore
import ConnectorKit
import Foundation

/// Where AWS credentials come from. Workers on ECS get short-lived task-role credentials from the
/// container credentials endpoint; elsewhere they come from the environment.
public protocol AWSCredentialsProvider: Sendable {
    /// Where the credentials come from, for `banquet doctor` (never the credentials themselves).
    var source: String { get }
    func credentials() async throws -> SigV4Signer.Credentials
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
public struct EnvironmentAWSCredentials: AWSCredentialsProvider {
    let value: SigV4Signer.Credentials
    public var source: String { "environment (AWS_ACCESS_KEY_ID)" }

    public init(_ value: SigV4Signer.Credentials) { self.value = value }

    public func credentials() async throws -> SigV4Signer.Credentials { value }
}

/// The ECS container credentials endpoint: `http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
/// or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the
/// `Authorization` header. Credentials are cached until five minutes before they expire.
public actor ECSContainerCredentials: AWSCredentialsProvider {
    public nonisolated let endpoint: URL
    let authorizationToken: String?
    let client: HTTPJSONClient
    private var cached: (SigV4Signer.Credentials, Date)?

    public nonisolated var source: String { "ECS task role (\(Redaction.url(endpoint)))" }

    public init(endpoint: URL, authorizationToken: String?, transport: any HTTPTransport) {
        self.endpoint = endpoint
        self.authorizationToken = authorizationToken
        self.client = HTTPJSONClient(transport: transport)
    }

    struct Answer: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }

    public func credentials() async throws -> SigV4Signer.Credentials {
        if let (value, expires) = cached, expires.timeIntervalSinceNow > 300 { return value }
        var headers: [(String, String)] = []
        if let token = authorizationToken { headers.append(("Authorization", token)) }
        let answer: Answer
        do {
            answer = try await client.send(.GET, endpoint, headers: .init(headers), timeout: .seconds(5), as: Answer.self)
        } catch let error as ConnectorError {
            throw LLMError(.unauthorized, "no AWS credentials from the ECS credentials endpoint: \(error.message)")
        }
        let value = SigV4Signer.Credentials(accessKeyID: answer.AccessKeyId, secretAccessKey: answer.SecretAccessKey, sessionToken: answer.Token)
        let expires = answer.Expiration.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date().addingTimeInterval(900)
        cached = (value, expires)
        return value
    }
}

public enum AWSCredentials {
    /// The environment's keys when set, else the ECS endpoint when its variables are set, else nil.
    public static func fromEnvironment(_ environment: BanquetCore.Environment, transport: any HTTPTransport) -> (any AWSCredentialsProvider)? {
        if let key = environment.optionalString("AWS_ACCESS_KEY_ID"), let secret = environment.optionalString("AWS_SECRET_ACCESS_KEY") {
            return EnvironmentAWSCredentials(.init(accessKeyID: key, secretAccessKey: secret,
                                                   sessionToken: environment.optionalString("AWS_SESSION_TOKEN")))
        }
        if let relative = environment.optionalString("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
           let url = URL(string: "http://169.254.170.2" + relative) {
            return ECSContainerCredentials(endpoint: url, authorizationToken: nil, transport: transport)
        }
        if let full = environment.optionalString("AWS_CONTAINER_CREDENTIALS_FULL_URI"), let url = URL(string: full) {
            return ECSContainerCredentials(endpoint: url, authorizationToken: environment.optionalString("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                                           transport: transport)
        }
        return nil
    }
}
