import Foundation
import NIOSSL
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL.
///
/// One parser serves the daemon, the migration runner, the CLI and the tests, so every entry
/// point accepts the same `DATABASE_URL` the Supabase tooling prints.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, requireTLS: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
              let host = components.host, !host.isEmpty
        else {
            throw BanquetError.configuration("DATABASE_URL must look like postgres://user:password@host:port/database, got \(DatabaseURL.redact(string))")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user?.removingPercentEncoding ?? "postgres"
        self.password = components.password?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? "postgres" : path
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(sslmode ?? "")
    }

    /// The same server, another database (tests create one database per test).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL without its password, safe for logs.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    public var urlString: String {
        let auth = password.map { "\(username):\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? username
        return "postgres://\(auth)@\(host):\(port)/\(database)"
    }

    static func redact(_ string: String) -> String {
        string.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
    }


    /// Configuration for a pooled client (queries, claims, write-backs).
    public func clientConfiguration(maxConnections: Int = 10, applicationName: String = "banquet") -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: requireTLS ? .require(TLSConfiguration.makeClientConfiguration()) : .disable)
        config.options.maximumConnections = maxConnections
        config.options.minimumConnections = 0
        config.options.additionalStartupParameters = [("application_name", applicationName)]
        return config
    }

    /// Configuration for one dedicated connection (LISTEN, migrations). With `sslmode=require`
    /// and stronger it uses TLS with the system trust roots (Supabase, RDS); throws if TLS cannot
    /// be set up rather than silently connecting in clear text.
    public func connectionConfiguration(applicationName: String = "banquet") throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        var config = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        config.options.additionalStartupParameters = [("application_name", applicationName)]
        return config
    }
}
