import ArgumentParser
import BanquetCore
import Foundation
import Logging
import Migrations

/// `banquet migrate`: applies sql/platform (plain PostgreSQL only) and supabase/migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending migrations (and, on plain PostgreSQL, the Supabase platform stand-ins).",
        discussion: """
            Each migration runs in its own transaction and is recorded in
            supabase_migrations.schema_migrations as the Supabase CLI records it, plus a SHA-256
            checksum: an applied migration that was edited afterwards is refused.
            """
    )

    @Option(help: "PostgreSQL URL (default: $DATABASE_URL).")
    var databaseURL: String?

    @Flag(help: "Show each migration's state (applied, pending, edited, missing-file) and change nothing.")
    var status = false

    @Flag(help: "Show what would be applied and change nothing.")
    var dryRun = false

    @Option(help: "Directory of <version>_<name>.sql migrations.")
    var migrationsDir = "supabase/migrations"

    @Option(help: "Directory of platform stand-in SQL, applied on plain PostgreSQL only.")
    var platformDir = "sql/platform"

    func validate() throws {
        if status && dryRun { throw ValidationError("--status and --dry-run are alternatives; pass one") }
    }

    func run() async throws {
        let environment = BanquetCore.Environment()
        LogSetup.bootstrap(environment)
        let url = try databaseURL.map(DatabaseURL.init) ?? environment.databaseURL()
        let migrator = Migrator(
            databaseURL: url,
            migrationsDirectory: URL(fileURLWithPath: migrationsDir),
            platformDirectory: URL(fileURLWithPath: platformDir),
            logger: Logger(label: "banquet.migrate"),
            progress: { print($0) }
        )
        do {
            if status {
                print(try await migrator.plan().renderStatus())
            } else if dryRun {
                let plan = try await migrator.plan()
                print(plan.renderDryRun())
                if let refusal = plan.refusal { throw refusal }
            } else {
                try await migrator.run()
                if let publicURL = environment.optionalString("BANQUET_PUBLIC_URL") {
                    try await migrator.storePublicURL(publicURL)
                }
            }
        } catch let error as MigrationError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
