import AsyncHTTPClient
import ServiceLifecycle

/// Owns an HTTP client for the life of the daemon: shuts it down at graceful shutdown. Placed
/// before the bridge in the service list, so it closes only after the bridge has drained.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
