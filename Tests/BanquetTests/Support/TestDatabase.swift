import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// A throwaway database on the test cluster that `make test` starts.
///
/// `BANQUET_TEST_DATABASE_URL` points at the cluster's maintenance database as a superuser
/// (default postgres://postgres@127.0.0.1:54330/postgres). `migrated()` copies the template
/// database `make test-db` builds with `banquet migrate` (name in `BANQUET_TEST_TEMPLATE`,
/// default `banquet_template`), so every test starts from the real migrations in milliseconds.
struct TestDatabase: Sendable {
    let url: DatabaseURL
    let name: String

    static let logger = Logger(label: "banquet.tests")

    static var adminURL: DatabaseURL {
        get throws {
            let raw = ProcessInfo.processInfo.environment["BANQUET_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:54330/postgres"
            return try DatabaseURL(raw)
        }
    }

    static var templateName: String {
        ProcessInfo.processInfo.environment["BANQUET_TEST_TEMPLATE"] ?? "banquet_template"
    }

    /// An empty database (for the migration runner's own tests).
    static func empty(_ label: String = "t") async throws -> TestDatabase {
        try await create(label: label, template: "template0")
    }

    /// A database with every migration applied, copied from the template.
    static func migrated(_ label: String = "t") async throws -> TestDatabase {
        try await create(label: label, template: templateName)
    }

    private static func create(label: String, template: String) async throws -> TestDatabase {
        let admin = try adminURL
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())".replacingOccurrences(of: "-", with: "_")
        try await withAdminConnection { conn in
            // CREATE DATABASE takes no bind parameters; names here are generated, not user input.
            _ = try await conn.query(PostgresQuery(unsafeSQL: "create database \"\(name)\" template \"\(template)\""), logger: logger)
        }
        return TestDatabase(url: admin.with(database: name), name: name)
    }

    /// Drops the database, disconnecting anyone still on it.
    func drop() async throws {
        let name = self.name
        try await TestDatabase.withAdminConnection { conn in
            _ = try await conn.query(PostgresQuery(unsafeSQL: "drop database if exists \"\(name)\" with (force)"), logger: TestDatabase.logger)
        }
    }

    static func withAdminConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection(to: adminURL, body)
    }

    /// One connection to this database for the duration of `body`.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await TestDatabase.withConnection(to: url, body)
    }

    private static func withConnection<T: Sendable>(to url: DatabaseURL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let conn = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(applicationName: "banquet-tests"), id: 1, logger: logger)
        do {
            let result = try await body(conn)
            try await conn.close()
            return result
        } catch {
            try? await conn.close()
            throw error
        }
    }

    /// Runs a SQL statement and returns the first column of the first row as text (nil for no row / NULL).
    @discardableResult
    func scalar(_ sql: String) async throws -> String? {
        try await withConnection { conn in
            let rows = try await conn.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            for try await row in rows {
                return try row.decode(String?.self)
            }
            return nil
        }
    }
}
