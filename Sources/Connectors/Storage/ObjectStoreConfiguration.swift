import BanquetCore
import ConnectorKit
import Foundation

/// Which store `/storage/v1` keeps bytes in, from the environment:
/// `BANQUET_STORAGE_BACKEND=local` (default; `<data dir>/storage`, or `BANQUET_STORAGE_DIR`) or
/// `s3` with `BANQUET_S3_ENDPOINT`, `BANQUET_S3_BUCKET`, `BANQUET_S3_REGION` (default
/// `us-east-1`) and the standard `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public enum ObjectStoreConfiguration: Sendable {
    case local(root: String)
    case s3(S3ObjectStore.Configuration)

    public static func fromEnvironment(_ environment: BanquetCore.Environment) throws -> ObjectStoreConfiguration {
        switch environment.string("BANQUET_STORAGE_BACKEND", default: "local").lowercased() {
        case "local":
            return .local(root: environment.optionalString("BANQUET_STORAGE_DIR") ?? environment.dataDirectory + "/storage")
        case "s3":
            let region = environment.string("BANQUET_S3_REGION", default: environment.string("AWS_REGION", default: "us-east-1"))
            let endpointText = environment.string("BANQUET_S3_ENDPOINT", default: "https://s3.\(region).amazonaws.com")
            guard let endpoint = URL(string: endpointText), endpoint.scheme == "http" || endpoint.scheme == "https", endpoint.host != nil else {
                throw BanquetError.configuration("BANQUET_S3_ENDPOINT must be an http(s) URL, got '\(endpointText)'")
            }
            guard let bucket = environment.optionalString("BANQUET_S3_BUCKET") else {
                throw BanquetError.configuration("BANQUET_STORAGE_BACKEND=s3 needs BANQUET_S3_BUCKET")
            }
            guard let accessKey = environment.optionalString("AWS_ACCESS_KEY_ID"),
                  let secretKey = environment.optionalString("AWS_SECRET_ACCESS_KEY") else {
                throw BanquetError.configuration("BANQUET_STORAGE_BACKEND=s3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            let credentials = SigV4Signer.Credentials(accessKeyID: accessKey, secretAccessKey: secretKey,
                                                      sessionToken: environment.optionalString("AWS_SESSION_TOKEN"))
            return .s3(.init(endpoint: endpoint, bucket: bucket, region: region, credentials: credentials))
        case let other:
            throw BanquetError.configuration("BANQUET_STORAGE_BACKEND must be local or s3, got '\(other)'")
        }
    }

    /// Whether the store talks HTTP (the assembly then owns a transport for it).
    public var needsHTTPTransport: Bool {
        if case .s3 = self { return true }
        return false
    }

    public func makeStore(transport: (any HTTPTransport)?) throws -> any ObjectStore {
        switch self {
        case .local(let root):
            return try LocalDirectoryObjectStore(root: root)
        case .s3(let configuration):
            guard let transport else { throw BanquetError.configuration("the S3 store needs an HTTP transport") }
            return S3ObjectStore(configuration: configuration, transport: transport)
        }
    }
}
