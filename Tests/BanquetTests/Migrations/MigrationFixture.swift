import BanquetCore
import Foundation
import Logging
import Migrations

/// A temporary `migrations/` (and optionally `platform/`) directory of small synthetic SQL files,
/// plus a fresh empty database to run them against.
struct MigrationFixture {
    let root: URL
    let database: TestDatabase

    var migrationsDirectory: URL { root.appendingPathComponent("migrations") }
    var platformDirectory: URL { root.appendingPathComponent("platform") }

    /// Runs `body` with a fresh fixture and always removes the directory and the database.
    static func with<T>(_ body: (MigrationFixture) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("banquet-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        let fixture = MigrationFixture(root: root, database: try await TestDatabase.empty("migrate"))
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            let result = try await body(fixture)
            try await fixture.database.drop()
            return result
        } catch {
            try? await fixture.database.drop()
            throw error
        }
    }

    func writeMigration(_ fileName: String, _ sql: String) throws {
        try Data(sql.utf8).write(to: migrationsDirectory.appendingPathComponent(fileName))
    }

    func writePlatform(_ fileName: String, _ sql: String) throws {
        try FileManager.default.createDirectory(at: platformDirectory, withIntermediateDirectories: true)
        try Data(sql.utf8).write(to: platformDirectory.appendingPathComponent(fileName))
    }

    func migrator(withPlatform: Bool = false) -> Migrator {
        Migrator(
            databaseURL: database.url,
            migrationsDirectory: migrationsDirectory,
            platformDirectory: withPlatform ? platformDirectory : nil,
            logger: Logger(label: "banquet.tests.migrate")
        )
    }

    /// The first column of every row, as text.
    func column(_ sql: String) async throws -> [String?] {
        try await database.withConnection { connection in
            var values: [String?] = []
            for try await value in try await connection.query(.init(unsafeSQL: sql), logger: TestDatabase.logger).decode(String?.self) {
                values.append(value)
            }
            return values
        }
    }
}
