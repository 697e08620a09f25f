import BanquetCore
import Foundation
import Migrations
import Testing

@Suite("banquet migrate")
struct MigratorTests {
    @Test("a fresh database gets every migration, recorded with statements and checksum")
    func freshApply() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_first.sql", "-- First.\ncreate schema app;\ncreate table app.a (id int primary key);\n")
            try fixture.writeMigration("20260101000100_second.sql", "create table app.b (id int references app.a);\ninsert into app.a values (1);\n")

            let report = try await fixture.migrator().run()

            #expect(report.applied.map(\.version) == ["20260101000000", "20260101000100"])
            #expect(report.applied.map(\.statementCount) == [2, 2])
            let rows = try await fixture.column("select version || '|' || name || '|' || array_length(statements, 1) || '|' || checksum from supabase_migrations.schema_migrations order by version")
            let expectedChecksum = try SQLFile(displayPath: "x", fileName: "x", content: Data(contentsOf: fixture.migrationsDirectory.appendingPathComponent("20260101000000_first.sql"))).checksum
            #expect(rows.first == "20260101000000|first|2|\(expectedChecksum)")
            #expect(rows.count == 2)
            #expect(try await fixture.column("select statements[1] from supabase_migrations.schema_migrations where version = '20260101000000'") == ["create schema app"])
            #expect(try await fixture.column("select count(*)::text from app.a") == ["1"])
        }
    }

    @Test("running again applies nothing")
    func rerunIsNoOp() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_first.sql", "create table a (id int);")
            try await fixture.migrator().run()

            let second = try await fixture.migrator().run()
            let plan = try await fixture.migrator().plan()

            #expect(second.applied.isEmpty)
            #expect(plan.migrations.map(\.state) == [.applied])
        }
    }

    @Test("an applied migration that was edited is refused, naming the file")
    func editedMigrationRefused() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_first.sql", "create table a (id int);")
            try await fixture.migrator().run()
            try fixture.writeMigration("20260101000000_first.sql", "create table a (id bigint);")
            try fixture.writeMigration("20260101000100_second.sql", "create table b (id int);")

            let error = await #expect(throws: MigrationError.self) { try await fixture.migrator().run() }
            let plan = try await fixture.migrator().plan()

            guard case .editedAfterApplied(let path, _, _)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
            #expect(path.hasSuffix("migrations/20260101000000_first.sql"))
            #expect(error!.description.contains("was edited after it was applied"))
            #expect(error!.description.contains("migrations are append-only"))
            #expect(plan.migrations.map(\.state) == [.edited, .pending])
            // Refused before anything ran: the later migration was not applied either.
            #expect(try await fixture.column("select to_regclass('public.b')::text") == [nil])
        }
    }

    @Test("a failing migration rolls back whole and the error names file, line and server message")
    func failingMigrationRollsBack() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_good.sql", "create table good (id int);")
            try fixture.writeMigration("20260101000100_bad.sql", """
                -- Creates a table, then fails.
                create table half_done (id int);

                insert into
                  no_such_table values (1);
                """)

            let error = await #expect(throws: MigrationError.self) { try await fixture.migrator().run() }

            guard case .statementFailed(let failure)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
            #expect(failure.path.hasSuffix("migrations/20260101000100_bad.sql"))
            #expect(failure.line == 5)  // the server's position points at no_such_table
            #expect(failure.message == #"relation "no_such_table" does not exist"#)
            #expect(failure.sqlState == "42P01")
            #expect(error!.description.contains("20260101000100_bad.sql:5: relation \"no_such_table\" does not exist (SQLSTATE 42P01)"))
            #expect(try await fixture.column("select to_regclass('public.half_done')::text") == [nil])
            #expect(try await fixture.column("select to_regclass('public.good')::text") == ["good"])
            #expect(try await fixture.column("select version from supabase_migrations.schema_migrations") == ["20260101000000"])
        }
    }

    @Test("errors inside a DO block carry the server's hint and context")
    func errorWithHint() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_raise.sql", """
                select 1;
                do $$
                begin
                  raise exception 'venue % is closed', 7 using errcode = 'P0001', detail = 'closed since May', hint = 'reopen it first';
                end
                $$;
                """)

            let error = await #expect(throws: MigrationError.self) { try await fixture.migrator().run() }

            guard case .statementFailed(let failure)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
            #expect(failure.line == 2)
            #expect(failure.message == "venue 7 is closed")
            #expect(failure.sqlState == "P0001")
            #expect(failure.detail == "closed since May")
            #expect(failure.hint == "reopen it first")
            #expect(failure.context?.contains("line 3") == true)
        }
    }

    @Test("statements that cannot run in a transaction are refused before anything runs")
    func nonTransactionalStatement() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_index.sql", "create table t (a int);\ncreate index concurrently t_a on t (a);")

            let error = await #expect(throws: MigrationError.self) { try await fixture.migrator().run() }

            guard case .notTransactional(let path, let line, _)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
            #expect(path.hasSuffix("20260101000000_index.sql"))
            #expect(line == 2)
            #expect(try await fixture.column("select to_regclass('public.t')::text") == [nil])
        }
    }

    @Test("badly named migration files are an error")
    func invalidFileName() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("2026_tenancy.sql", "select 1;")

            let error = await #expect(throws: MigrationError.self) { try await fixture.migrator().run() }

            #expect(error == .invalidFileName(path: fixture.migrationsDirectory.relativePath + "/2026_tenancy.sql"))
        }
    }

    @Test("a history row from the Supabase CLI (no checksum) is accepted and backfilled; a row without a file is reported")
    func supabaseCLIHistory() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writeMigration("20260101000000_first.sql", "create table a (id int);")
            try await fixture.database.withConnection { connection in
                // Exactly what `supabase db push` leaves behind.
                for sql in [
                    "create schema supabase_migrations",
                    "create table supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)",
                    "insert into supabase_migrations.schema_migrations values ('20260101000000', '{\"create table a (id int)\"}', 'first'), ('20251231000000', '{}', 'gone')",
                    "create table a (id int)",
                ] {
                    try await connection.query(.init(unsafeSQL: sql), logger: TestDatabase.logger)
                }
            }

            let before = try await fixture.migrator().plan()
            let report = try await fixture.migrator().run()

            #expect(before.migrations.map(\.state) == [.missingFile, .applied])
            #expect(report.applied.isEmpty)
            #expect(report.backfilledChecksums == ["20260101000000"])
            #expect(report.missingFiles == ["20251231000000"])
            #expect(try await fixture.column("select (checksum is not null)::text from supabase_migrations.schema_migrations where version = '20260101000000'") == ["true"])
        }
    }

    @Test("an auth schema that is not Banquet's stand-in means Supabase: the platform is skipped")
    func supabaseDetected() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writePlatform("10_probe.sql", "create table if not exists public.platform_probe (id int);")
            try fixture.writeMigration("20260101000000_first.sql", "create table a (id int);")
            try await fixture.database.withConnection { connection in
                try await connection.query("create schema auth", logger: TestDatabase.logger)
                try await connection.query("comment on schema auth is 'Auth: supabase gotrue'", logger: TestDatabase.logger)
            }

            let plan = try await fixture.migrator(withPlatform: true).plan()
            let report = try await fixture.migrator(withPlatform: true).run()

            #expect(plan.platform == .skippedSupabase)
            #expect(report.platform == .skippedSupabase)
            #expect(try await fixture.column("select to_regclass('public.platform_probe')::text") == [nil])
            #expect(report.applied.count == 1)
        }
    }

    @Test("plain PostgreSQL gets the platform files, in name order, on every run")
    func platformApplied() async throws {
        try await MigrationFixture.with { fixture in
            try fixture.writePlatform("20_second.sql", "insert into public.platform_probe values (2);")
            try fixture.writePlatform("10_first.sql", "create table if not exists public.platform_probe (id int);")

            let first = try await fixture.migrator(withPlatform: true).run()
            try await fixture.migrator(withPlatform: true).run()

            #expect(first.platform == .apply(files: ["10_first.sql", "20_second.sql"]))
            #expect(try await fixture.column("select string_agg(id::text, ',' order by id) from public.platform_probe") == ["2,2"])
        }
    }

    @Test("concurrent runners apply each migration once")
    func concurrentRunners() async throws {
        try await MigrationFixture.with { fixture in
            for index in 0..<5 {
                try fixture.writeMigration("2026010100000\(index)_step_\(index).sql", "create table t\(index) (id int);\nselect pg_sleep(0.05);")
            }

            async let first = fixture.migrator().run()
            async let second = fixture.migrator().run()
            let reports = try await [first, second]

            #expect(reports.map(\.applied.count).sorted() == [0, 5])
            #expect(try await fixture.column("select count(*)::text from supabase_migrations.schema_migrations") == ["5"])
        }
    }

    @Test("the repository's platform and foundation migration apply to plain PostgreSQL, twice")
    func repositoryPlatformAndFoundation() async throws {
        try await MigrationFixture.with { fixture in
            // Only the foundation: later domain migrations are other people's work in progress.
            let repo = Paths.repositoryRoot
            try FileManager.default.copyItem(at: repo.appendingPathComponent("sql/platform"), to: fixture.platformDirectory)
            try FileManager.default.copyItem(
                at: repo.appendingPathComponent("supabase/migrations/20261121000000_foundation.sql"),
                to: fixture.migrationsDirectory.appendingPathComponent("20261121000000_foundation.sql")
            )

            let first = try await fixture.migrator(withPlatform: true).run()
            let second = try await fixture.migrator(withPlatform: true).run()

            #expect(first.applied.map(\.name) == ["foundation"])
            #expect(second.applied.isEmpty)
            #expect(second.platform == .apply(files: ["00_roles.sql", "10_auth.sql", "11_auth_sessions.sql", "20_storage.sql", "30_realtime.sql"]))
            #expect(try await fixture.column("select obj_description('auth'::regnamespace, 'pg_namespace')") == [Migrator.platformMarker])
            #expect(try await fixture.column("select to_regprocedure('auth.uid()')::text") == ["auth.uid()"])
            #expect(try await fixture.column("select count(*)::text from pg_namespace where nspname in ('app', 'bridge', 'storage')") == ["3"])
        }
    }

    @Test("the public URL is stored on the database, quoted, and every new session reads it")
    func storesThePublicURL() async throws {
        try await MigrationFixture.with { fixture in
            try await fixture.migrator().storePublicURL("https://book.example.com/it's")
            #expect(try await fixture.column("select current_setting('banquet.public_url', true)") == ["https://book.example.com/it's"])
        }
    }
}
