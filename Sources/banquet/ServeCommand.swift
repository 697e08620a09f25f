import ArgumentParser
import BanquetCore
import Gateway

/// `banquet serve`: the daemon. Runs the job runtime (LISTEN + claim loop) and the HTTP gateway
/// in one ServiceGroup, or one of them (`--role`); SIGTERM/SIGINT stop claiming, finish or
/// release in-flight jobs, then exit.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: job runtime, connectors and HTTP gateway.",
        discussion: """
            Configuration comes from environment variables; see .env.example.
            --role all      the job runtime and every HTTP route (default; a small install)
            --role worker   the job runtime; HTTP serves only /health* and /metrics
            --role gateway  every HTTP route; claims no jobs
            """
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else the embedded cluster).")
    var databaseURL: String?

    @Option(name: .long, help: "HTTP port (default: $BANQUET_HTTP_PORT, else 54321).")
    var port: Int?

    @Option(name: .long, help: "What this process runs: all, worker or gateway (default: $BANQUET_ROLE, else all).")
    var role: String?

    func run() async throws {
        var env = Environment()
        if let databaseURL { env.values["DATABASE_URL"] = databaseURL }
        if let port { env.values["BANQUET_HTTP_PORT"] = String(port) }
        let roleName = role ?? env.string("BANQUET_ROLE", default: "all")
        guard let role = GatewayRole(rawValue: roleName) else {
            throw ValidationError("--role must be one of all, worker, gateway; got '\(roleName)'")
        }
        LogSetup.bootstrap(env)
        try await DaemonAssembly(environment: env, role: role).run()
    }
}
