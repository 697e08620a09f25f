import ConnectorKit
import ServiceLifecycle

/// Owns an HTTP transport for the life of the daemon: shuts it down at graceful shutdown. Placed
/// before the bridge in the service list, so it closes only after the bridge has drained.
struct HTTPTransportService: Service {
    let transport: AsyncHTTPTransport

    func run() async throws {
        try? await gracefulShutdown()
        try await transport.shutdown()
    }
}
