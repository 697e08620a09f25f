import BanquetCore
import Connectors
import Foundation
import Logging
import PostgresNIO

/// What every client-facing route group (`/rest/v1`, `/auth/v1`, `/storage/v1`, later
/// `/realtime/v1`) shares: the pool, the token issuer and the apikey gate, the per-request
/// transaction, configuration and a logger. Built once by the assembly.
public struct ClientAPI: Sendable {
    public let client: PostgresClient
    public let issuer: TokenIssuer
    public let gate: APIGate
    public let session: RequestSession
    public let environment: BanquetCore.Environment
    public let logger: Logger
    /// Where `/storage/v1` keeps bytes; the assembly sets it (nil: the environment's default store).
    public var objectStore: (any ObjectStore)?

    public init(client: PostgresClient, issuer: TokenIssuer, session: RequestSession, environment: BanquetCore.Environment, logger: Logger) {
        self.client = client
        self.issuer = issuer
        self.gate = APIGate(issuer: issuer)
        self.session = session
        self.environment = environment
        self.logger = logger
    }

    /// The base URL clients reach this gateway on (links in emails, signed URLs):
    /// `BANQUET_PUBLIC_URL`, else `http://localhost:<port>`.
    public func publicURL(port: Int) -> String {
        environment.optionalString("BANQUET_PUBLIC_URL") ?? "http://localhost:\(port)"
    }
}
