import BanquetCore
import PostgresNIO

/// `supabase_migrations.schema_migrations`, shaped as the Supabase CLI creates it
/// (`version text primary key, statements text[], name text`) plus Banquet's `checksum`.
enum MigrationHistory {
    struct Row: Sendable, Equatable {
        var version: String
        var name: String?
        var checksum: String?
    }

    static func ensureTable(_ session: Session) async throws(MigrationError) {
        // 1. The Supabase CLI's own statements, so `supabase db push` later sees the same history.
        try await session.execute("create schema if not exists supabase_migrations")
        try await session.execute("create table if not exists supabase_migrations.schema_migrations (version text not null primary key)")
        try await session.execute("alter table supabase_migrations.schema_migrations add column if not exists statements text[]")
        try await session.execute("alter table supabase_migrations.schema_migrations add column if not exists name text")
        // 2. Banquet's addition: the SHA-256 of the file as applied.
        try await session.execute("alter table supabase_migrations.schema_migrations add column if not exists checksum text")
    }

    static func read(_ session: Session) async throws(MigrationError) -> [String: Row] {
        try await rows("select version, name, checksum from supabase_migrations.schema_migrations", session)
    }

    /// The history without creating anything: empty when the table does not exist, no checksums
    /// when only the Supabase CLI has written it.
    static func readIfPresent(_ session: Session) async throws(MigrationError) -> [String: Row] {
        func hasColumn(_ column: String) async throws(MigrationError) -> Bool {
            try await session.firstRow("""
                select exists (select from information_schema.columns
                               where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'
                                 and column_name = \(column))
                """, as: Bool.self) == true
        }
        guard try await hasColumn("version") else { return [:] }
        let checksum = try await hasColumn("checksum") ? "checksum" : "null::text"
        return try await rows(PostgresQuery(unsafeSQL: "select version, name, \(checksum) from supabase_migrations.schema_migrations"), session)
    }

    private static func rows(_ query: PostgresQuery, _ session: Session) async throws(MigrationError) -> [String: Row] {
        do {
            var result: [String: Row] = [:]
            for try await (version, name, checksum) in try await session.connection.query(query, logger: session.logger).decode((String, String?, String?).self) {
                result[version] = Row(version: version, name: name, checksum: checksum)
            }
            return result
        } catch {
            throw .database("reading supabase_migrations.schema_migrations: \(DatabaseError.describe(error))")
        }
    }

    static func record(_ migration: MigrationFile, _ session: Session) async throws(MigrationError) {
        let statements = migration.file.statements.map(\.text)
        try await session.execute("""
            insert into supabase_migrations.schema_migrations (version, name, statements, checksum)
            values (\(migration.version), \(migration.name), \(statements), \(migration.file.checksum))
            """)
    }

    static func backfillChecksum(_ migration: MigrationFile, _ session: Session) async throws(MigrationError) {
        try await session.execute("""
            update supabase_migrations.schema_migrations set checksum = \(migration.file.checksum)
            where version = \(migration.version) and checksum is null
            """)
    }
}
