import ConnectorKit
import Foundation
import NIOHTTP1
import Testing

/// The client against a real local server: these are the behaviours connectors rely on.
@Suite struct HTTPJSONClientTests {
    struct Greeting: Codable, Equatable {
        var text: String
        var count: Int
    }

    struct Empty: Codable {}

    /// Runs `body` with a started server and a transport, and always shuts both down.
    static func withServer(
        connectionsPerHost: Int = AsyncHTTPTransport.defaultConnectionsPerHost,
        _ body: (TestHTTPServer, HTTPJSONClient) async throws -> Void
    ) async throws {
        let server = try await TestHTTPServer()
        let transport = AsyncHTTPTransport(connectionsPerHost: connectionsPerHost)
        do {
            try await body(server, HTTPJSONClient(transport: transport))
        } catch {
            try await transport.shutdown()
            try await server.shutdown()
            throw error
        }
        try await transport.shutdown()
        try await server.shutdown()
    }

    static func url(_ server: TestHTTPServer, _ path: String) throws -> URL {
        try #require(URL(string: server.baseURL + path))
    }

    @Test func jsonRoundTrip() async throws {
        try await Self.withServer { server, client in
            let sent = Greeting(text: "Grüße, table for 12", count: 12)

            let received: Greeting = try await client.send(.POST, Self.url(server, "/echo"), body: sent, timeout: .seconds(5))

            #expect(received == sent)
        }
    }

    /// The Bedrock shape: build the JSON request, sign it, send it, decode the answer.
    @Test func aPreparedRequestCanBeSignedBeforeItIsSent() async throws {
        try await Self.withServer { server, client in
            let sent = Greeting(text: "signed", count: 1)
            var request = try client.jsonRequest(.POST, Self.url(server, "/echo"), body: sent, timeout: .seconds(5))
            let signer = SigV4Signer(
                credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1",
                service: "bedrock")

            signer.sign(&request)
            let received: Greeting = try await client.send(request)

            #expect(received == sent)
            #expect(request.headers["Authorization"].first?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
            #expect(request.headers["Authorization"].first?.contains("SignedHeaders=accept;content-type;host;x-amz-date,") == true)
        }
    }

    @Test func tooManyRequestsIsRetryableWithTheProvidersWait() async throws {
        try await Self.withServer { server, client in
            let error = await #expect(throws: ConnectorError.self) {
                let _: Empty = try await client.send(.GET, Self.url(server, "/status/429?retry-after=7&token=abc"), timeout: .seconds(5))
            }

            #expect(error?.isRetryable == true)
            #expect(error?.retryAfter == .seconds(7))
            #expect(error?.message.contains("token=abc") == false, "the query string is redacted")
        }
    }

    @Test func badRequestIsPermanent() async throws {
        try await Self.withServer { server, client in
            let error = await #expect(throws: ConnectorError.self) {
                let _: Empty = try await client.send(.GET, Self.url(server, "/status/400?body=no"), timeout: .seconds(5))
            }

            guard case .permanent(let message) = error else {
                Issue.record("expected permanent, got \(String(describing: error))")
                return
            }
            #expect(message.hasSuffix("returned 400: no"))
        }
    }

    /// A redirect is answered, not followed: following it would resend credentials elsewhere.
    @Test func aRedirectIsNotFollowed() async throws {
        try await Self.withServer { server, client in
            let error = await #expect(throws: ConnectorError.self) {
                let _: Greeting = try await client.send(
                    .GET, Self.url(server, "/status/302?location=\(server.baseURL)/echo"), timeout: .seconds(5))
            }

            guard case .permanent(let message) = error else {
                Issue.record("expected permanent, got \(String(describing: error))")
                return
            }
            #expect(message.contains("returned 302"))
        }
    }

    @Test func timeoutIsRetryable() async throws {
        try await Self.withServer { server, client in
            let started = ContinuousClock.now
            let error = await #expect(throws: ConnectorError.self) {
                let _: Empty = try await client.send(.GET, Self.url(server, "/slow?ms=3000"), timeout: .milliseconds(300))
            }

            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("timed out") == true)
            #expect(ContinuousClock.now - started < .seconds(2), "the deadline, not the server, ended the call")
        }
    }

    /// The deadline covers the body too: a server that sends its head and then stalls must not
    /// hold the call (and the job's slot) past its timeout.
    @Test func aStalledBodyTimesOut() async throws {
        try await Self.withServer { server, client in
            let started = ContinuousClock.now
            let error = await #expect(throws: ConnectorError.self) {
                let _: Empty = try await client.send(.GET, Self.url(server, "/stall"), timeout: .milliseconds(300))
            }

            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("timed out") == true)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func connectionRefusedIsRetryable() async throws {
        // A port that was just listening and no longer is: the connection is refused.
        let closed = try await TestHTTPServer()
        let url = try Self.url(closed, "/echo")
        try await closed.shutdown()
        let transport = AsyncHTTPTransport()
        let client = HTTPJSONClient(transport: transport)
        let error = await #expect(throws: ConnectorError.self) {
            // AsyncHTTPClient retries a refused connection until the deadline, so keep it short.
            let _: Empty = try await client.send(.GET, url, timeout: .seconds(1))
        }
        try await transport.shutdown()

        #expect(error?.isRetryable == true)
        // Usually the connect error itself ("… failed: connection refused"); on a loaded machine
        // our own deadline can fire first ("… timed out"). Either way it names the request.
        #expect(error?.message.contains("GET http://127.0.0.1:") == true, "\(String(describing: error))")
    }

    @Test func anEncodedPathSegmentReachesTheServerAsSent() async throws {
        try await Self.withServer { server, client in
            let url = try Self.url(server, "/uri/model/arn%3Aaws%3Abedrock%2Fx%3A0/converse?a=1")

            let response = try await client.perform(HTTPRequestSpec(method: .GET, url: url, timeout: .seconds(5)))

            #expect(String(decoding: response.body, as: UTF8.self) == "/uri/model/arn%3Aaws%3Abedrock%2Fx%3A0/converse?a=1")
        }
    }

    @Test func oversizedBodyIsPermanent() async throws {
        let server = try await TestHTTPServer()
        let transport = AsyncHTTPTransport(maxResponseBytes: 16)
        let client = HTTPJSONClient(transport: transport)
        let error = await #expect(throws: ConnectorError.self) {
            let _: Greeting = try await client.send(
                .POST, Self.url(server, "/echo"), body: Greeting(text: String(repeating: "x", count: 100), count: 1),
                timeout: .seconds(5))
        }
        try await transport.shutdown()
        try await server.shutdown()

        guard case .permanent = error else {
            Issue.record("expected permanent, got \(String(describing: error))")
            return
        }
    }

    /// The pool-size fix: 20 jobs calling one host at once must all be at the server at once,
    /// not queued eight at a time inside the client.
    @Test func twentyConcurrentRequestsReachTheServerTogether() async throws {
        try await Self.withServer { server, client in
            let url = try Self.url(server, "/hold?ms=300")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { let _: Empty = try await client.send(.GET, url, timeout: .seconds(10)) }
                }
                try await group.waitForAll()
            }

            let stats = server.stats.withLockedValue { $0 }
            #expect(stats.peakConnections >= 20)
            #expect(stats.peakInFlight >= 20)
        }
    }

    /// The same load through AsyncHTTPClient's default pool of 8: what the fix removed.
    @Test func aPoolOfEightQueuesTheRest() async throws {
        try await Self.withServer(connectionsPerHost: 8) { server, client in
            let url = try Self.url(server, "/hold?ms=300")

            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { let _: Empty = try await client.send(.GET, url, timeout: .seconds(10)) }
                }
                try await group.waitForAll()
            }

            #expect(server.stats.withLockedValue { $0.peakInFlight } <= 8)
        }
    }
}
