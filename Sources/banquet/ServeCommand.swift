import ArgumentParser
import BanquetCore

/// `banquet serve`: the daemon. Runs the job runtime (LISTEN + claim loop) and the HTTP gateway
/// in one ServiceGroup; SIGTERM/SIGINT stop claiming, finish or release in-flight jobs, then exit.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: job runtime, connectors and HTTP gateway.",
        discussion: "Configuration comes from environment variables; see .env.example."
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else the embedded cluster).")
    var databaseURL: String?

    @Option(name: .long, help: "HTTP port (default: $BANQUET_HTTP_PORT, else 54321).")
    var port: Int?

    func run() async throws {
        var env = Environment()
        if let databaseURL { env.values["DATABASE_URL"] = databaseURL }
        if let port { env.values["BANQUET_HTTP_PORT"] = String(port) }
        LogSetup.bootstrap(env)
        let daemon = DaemonAssembly(environment: env)
        try await daemon.run()
    }
}
