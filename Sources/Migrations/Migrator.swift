import BanquetCore
import Foundation
import Logging
import PostgresNIO

/// Applies `sql/platform` (on plain PostgreSQL only) and then `supabase/migrations`, recording
/// each migration in `supabase_migrations.schema_migrations` exactly as the Supabase CLI does,
/// plus the SHA-256 of its file so an edited migration is caught.
///
///     let report = try await Migrator(databaseURL: url, migrationsDirectory: migrations,
///                                     platformDirectory: platform, logger: logger).run()
public struct Migrator: Sendable {
    public var databaseURL: DatabaseURL
    public var migrationsDirectory: URL
    /// `sql/platform`; nil never applies platform stand-ins.
    public var platformDirectory: URL?
    public var logger: Logger
    /// Receives one human-readable line per step ("applying 2026…_tenancy.sql … 48 statements, 312 ms").
    public var progress: @Sendable (String) -> Void

    public init(
        databaseURL: DatabaseURL,
        migrationsDirectory: URL,
        platformDirectory: URL?,
        logger: Logger,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.databaseURL = databaseURL
        self.migrationsDirectory = migrationsDirectory
        self.platformDirectory = platformDirectory
        self.logger = logger
        self.progress = progress ?? { [logger] line in logger.info("\(line)") }
    }

    /// `pg_advisory_lock` key that serialises concurrent runners ("banquet" in ASCII).
    static let advisoryLockKey: Int64 = 0x0062_616E_7175_6574

    // MARK: Run

    /// Applies what is pending. Throws before applying anything when an applied migration was
    /// edited; a failing migration is rolled back whole and nothing of it is recorded.
    @discardableResult
    public func run() async throws(MigrationError) -> MigrationReport {
        let migrations = try MigrationFile.load(from: migrationsDirectory)
        let platformFiles = try loadPlatformFiles()
        return try await withConnection { connection throws(MigrationError) in
            let session = Session(connection: connection, logger: logger)
            // Held until the connection closes, which releases it even when a migration fails.
            try await session.lock(key: Self.advisoryLockKey, whileWaiting: { progress("waiting for another banquet migrate to finish…") })

            // 1. The history table, as the Supabase CLI creates it, plus our checksum column.
            try await MigrationHistory.ensureTable(session)
            let recorded = try await MigrationHistory.read(session)

            // 2. Refuse before changing anything if an applied migration was edited.
            let plan = Self.compare(files: migrations, recorded: recorded, platform: .notConfigured)
            if let refusal = plan.refusal { throw refusal }
            var report = MigrationReport(platform: .notConfigured)
            for missing in plan.missingFiles {
                logger.warning("migration \(missing.version)_\(missing.name) is recorded as applied but has no file in \(migrationsDirectory.relativePath)")
                report.missingFiles.append(missing.version)
            }

            // 3. Checksums of migrations the Supabase CLI recorded (it stores none).
            for file in migrations where recorded[file.version].map({ $0.checksum == nil }) == true {
                try await MigrationHistory.backfillChecksum(file, session)
                report.backfilledChecksums.append(file.version)
            }

            // 4. Platform stand-ins, unless this is Supabase.
            report.platform = try await platformDecision(platformFiles, session)
            if case .apply = report.platform {
                for file in platformFiles {
                    let clock = ContinuousClock.now
                    try await session.applyInTransaction(file)
                    progress("platform \(file.fileName) … \(file.statements.count) statements, \(Self.milliseconds(since: clock)) ms")
                }
            } else {
                progress(report.platform.summary)
            }

            // 5. Pending migrations, each in its own transaction with its history row.
            let pending = migrations.filter { recorded[$0.version] == nil }
            if let latest = recorded.keys.max(), let early = pending.first(where: { $0.version < latest }) {
                logger.warning("\(early.file.fileName) is older than the latest applied migration \(latest); applying it out of order")
            }
            for migration in pending {
                let clock = ContinuousClock.now
                try await session.applyInTransaction(migration.file) { session throws(MigrationError) in
                    try await MigrationHistory.record(migration, session)
                }
                let elapsed = Self.milliseconds(since: clock)
                progress("applying \(migration.file.fileName) … \(migration.file.statements.count) statements, \(elapsed) ms")
                report.applied.append(.init(version: migration.version, name: migration.name, statementCount: migration.file.statements.count, milliseconds: elapsed))
            }
            if pending.isEmpty {
                progress("database is up to date (\(migrations.count) migrations applied)")
            } else {
                // Running gateways (and PostgREST, on Supabase) reload their function cache on this.
                try await session.execute("notify pgrst, 'reload schema'")
            }
            return report
        }
    }

    /// Stores the base URL guests reach on the database (`alter database … set banquet.public_url`),
    /// so every session — the daemon's jobs, schedules, Supabase's PostgREST — builds the same
    /// links through `app.public_url()` (migration 20261129011000). `banquet migrate` calls it when
    /// `BANQUET_PUBLIC_URL` is set; new sessions see it, running ones keep what they had.
    public func storePublicURL(_ url: String) async throws(MigrationError) {
        try await withConnection { connection throws(MigrationError) in
            let session = Session(connection: connection, logger: logger)
            // format(%I, %L) quotes the database name and the value; the URL travels as a bind parameter.
            guard let statement = try await session.firstRow(
                "select format('alter database %I set banquet.public_url = %L', current_database(), \(url)::text)", as: String.self) else { return }
            try await session.execute(PostgresQuery(unsafeSQL: statement))
            progress("banquet.public_url = \(url) (stored on the database)")
        }
    }

    // MARK: Plan (read-only: --status, --dry-run)

    /// What `run()` would do, changing nothing (it does not even create the history table).
    public func plan() async throws(MigrationError) -> MigrationPlan {
        let migrations = try MigrationFile.load(from: migrationsDirectory)
        let platformFiles = try loadPlatformFiles()
        return try await withConnection { connection throws(MigrationError) in
            let session = Session(connection: connection, logger: logger)
            let recorded = try await MigrationHistory.readIfPresent(session)
            let platform = try await platformDecision(platformFiles, session)
            return Self.compare(files: migrations, recorded: recorded, platform: platform)
        }
    }

    static func compare(files: [MigrationFile], recorded: [String: MigrationHistory.Row], platform: PlatformDecision) -> MigrationPlan {
        var entries = files.map { file -> MigrationPlan.Entry in
            let state: MigrationState
            switch recorded[file.version] {
            case nil: state = .pending
            case let row? where row.checksum != nil && row.checksum != file.file.checksum: state = .edited
            case _?: state = .applied
            }
            return .init(version: file.version, name: file.name, state: state, path: file.file.displayPath,
                         recordedChecksum: recorded[file.version]?.checksum, fileChecksum: file.file.checksum)
        }
        let fileVersions = Set(files.map(\.version))
        for row in recorded.values where !fileVersions.contains(row.version) {
            entries.append(.init(version: row.version, name: row.name ?? "", state: .missingFile, recordedChecksum: row.checksum))
        }
        return MigrationPlan(platform: platform, migrations: entries.sorted { $0.version < $1.version })
    }

    // MARK: Platform

    /// The comment `sql/platform/10_auth.sql` puts on its `auth` schema.
    public static let platformMarker = "banquet platform stand-in for Supabase auth"

    func loadPlatformFiles() throws(MigrationError) -> [SQLFile] {
        guard let platformDirectory else { return [] }
        return try SQLFile.fileNames(in: platformDirectory, displayDirectory: platformDirectory.relativePath)
            .filter { $0.hasSuffix(".sql") }
            .map { name throws(MigrationError) in try SQLFile.read(fileName: name, in: platformDirectory, displayDirectory: platformDirectory.relativePath) }
    }

    func platformDecision(_ files: [SQLFile], _ session: Session) async throws(MigrationError) -> PlatformDecision {
        guard platformDirectory != nil else { return .notConfigured }
        let comment: String?? = try await session.firstRow(
            "select obj_description(oid, 'pg_namespace') from pg_catalog.pg_namespace where nspname = 'auth'",
            as: String?.self
        )
        switch comment {
        case nil: return .apply(files: files.map(\.fileName))  // no auth schema yet
        case let marker?? where marker == Self.platformMarker: return .apply(files: files.map(\.fileName))
        case _?: return .skippedSupabase
        }
    }

    // MARK: Plumbing

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws(MigrationError) -> T) async throws(MigrationError) -> T {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: databaseURL.connectionConfiguration(applicationName: "banquet-migrate"), id: 1, logger: logger)
        } catch {
            throw .connection(url: databaseURL.description, reason: DatabaseError.describe(error))
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        Int(Duration.since(start).inMilliseconds)
    }
}

/// What `run()` did.
public struct MigrationReport: Sendable, Equatable {
    public struct Applied: Sendable, Equatable {
        public var version: String
        public var name: String
        public var statementCount: Int
        public var milliseconds: Int
    }

    public var platform: PlatformDecision
    public var applied: [Applied] = []
    /// Versions recorded as applied that have no file.
    public var missingFiles: [String] = []
    /// Versions the Supabase CLI recorded without a checksum; now filled in.
    public var backfilledChecksums: [String] = []
}
