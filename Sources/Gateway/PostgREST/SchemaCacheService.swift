import BanquetCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Loads the schema cache, then reloads it whenever PostgREST would: on
/// `NOTIFY pgrst, 'reload schema'` (what `banquet migrate` sends after applying migrations), and
/// after the listening connection comes back, since a notification sent while it was down is lost.
struct SchemaCacheService: Service {
    static let channel = "pgrst"

    let cache: SchemaCache
    let client: PostgresClient
    let url: DatabaseURL
    let logger: Logger

    func run() async throws {
        let listener = PostgresListener(url: url, channels: [Self.channel], applicationName: "banquet-schema-cache", logger: logger)
        // The listener runs until its task is cancelled, so shutdown cancels it.
        await cancelWhenGracefulShutdown {
            await listener.run { event in
                switch event {
                case .connected:
                    await reload(reason: "connected")
                case .notification(_, let payload):
                    // PostgREST reloads on an empty payload too; 'reload config' has nothing to reload here.
                    if payload.isEmpty || payload == "reload schema" { await reload(reason: "notify") }
                case .disconnected:
                    break
                }
            }
        }
    }

    private func reload(reason: String) async {
        do {
            try await cache.reload(client: client, logger: logger)
        } catch {
            logger.warning("schema cache reload failed", metadata: ["reason": "\(reason)", "error": "\(DatabaseError.describe(error))"])
        }
    }
}
