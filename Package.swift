// swift-tools-version: 6.0
// Banquet: a database-centric backend. Business rules live in SQL (supabase/migrations);
// this package is the daemon that performs side effects and the HTTP gateway in front of it.
import PackageDescription

let package = Package(
    name: "banquet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "banquet", targets: ["banquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // Shared plumbing: configuration, database URL, the reusable LISTEN loop, error/duration/JSON helpers.
        .target(name: "BanquetCore", dependencies: [
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `banquet migrate`: applies sql/platform and supabase/migrations the way the Supabase CLI records them.
        .target(name: "Migrations", dependencies: [
            "BanquetCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The job runtime: LISTEN/poll, claim, lease, heartbeat, complete/fail through bridge.* SQL.
        .target(name: "BridgeRuntime", dependencies: [
            "BanquetCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // What every connector shares: JSON over HTTP with timeouts, Retry-After, error
        // classification, secret redaction, HTTP dates, and the one SigV4 signer.
        .target(name: "ConnectorKit", dependencies: [
            "BanquetCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Side-effect providers behind protocols, each with a real and an offline implementation.
        .target(name: "Connectors", dependencies: [
            "BanquetCore", "ConnectorKit",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Email/Templates")]),
        // One handler per job kind, each with a typed payload, over the connectors.
        .target(name: "JobKinds", dependencies: [
            "BanquetCore", "BridgeRuntime", "ConnectorKit", "Connectors",
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Edge functions served at /functions/v1/<name> (webhooks and other non-RPC entry points).
        .target(name: "EdgeFunctions", dependencies: [
            "BanquetCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "edge"),
        // HTTP: health, metrics, PostgREST-compatible RPC, GoTrue-compatible auth, Storage.
        .target(name: "Gateway", dependencies: [
            "BanquetCore", "BridgeRuntime", "EdgeFunctions", "ConnectorKit", "Connectors",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The CLI and the assembly only.
        .executableTarget(name: "banquet", dependencies: [
            "BanquetCore", "Migrations", "BridgeRuntime", "ConnectorKit", "Connectors", "JobKinds", "Gateway",
            "EdgeFunctions",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "BanquetTests", dependencies: [
            "BanquetCore", "Migrations", "BridgeRuntime", "ConnectorKit", "Connectors", "JobKinds", "Gateway",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Email/Fixtures/smtp_sink.py"]),
        .testTarget(name: "ConnectorKitTests", dependencies: [
            "ConnectorKit",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
