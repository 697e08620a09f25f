import BanquetCore
import Connectors
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `/storage/v1`: the Storage-compatible subset the supabase client's `storage` uses.
///
/// Metadata lives in `storage.objects` and is read and written in the caller's own transaction
/// (`RequestSession`), so the RLS policies on that table decide who may do what, exactly as they
/// do under Supabase Storage. Bytes live in an `ObjectStore` (a local directory or S3).
///
/// Routes are matched here rather than by the router because Storage's paths overlap
/// (`/object/public/<bucket>/<name>` next to `/object/<bucket>/<name>`) and object names span
/// several segments; each segment is percent-decoded once.
struct StorageRoutes {
    let api: ClientAPI
    let store: any ObjectStore
    /// Storage's global upload limit when a bucket sets none (Supabase's default is 50 MB).
    let defaultFileSizeLimit: Int

    init(api: ClientAPI) throws {
        self.api = api
        if let store = api.objectStore {
            self.store = store
        } else {
            // Assemblies that pass no store (tests building a Gateway directly) get the default.
            self.store = try ObjectStoreConfiguration.fromEnvironment(api.environment).makeStore(transport: nil)
        }
        self.defaultFileSizeLimit = try api.environment.int("BANQUET_STORAGE_FILE_SIZE_LIMIT", default: 50 * 1024 * 1024)
    }

    static let prefix = "/storage/v1"

    func register(on router: Router<GatewayRequestContext>) {
        for method in [HTTPRequest.Method.get, .head, .post, .put, .delete] {
            router.on("\(Self.prefix)/object/**", method: method) { request, context in
                await answer(request, context) { try await dispatchObject(request, context) }
            }
        }
        router.get("\(Self.prefix)/bucket") { request, context in
            await answer(request, context) { try await listBuckets(request) }
        }
        router.get("\(Self.prefix)/bucket/:id") { request, context in
            await answer(request, context) { try await getBucket(request, id: context.parameters.get("id") ?? "") }
        }
    }

    /// Object routes by method and leading segment, as Storage's router defines them.
    func dispatchObject(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let segments = Self.segments(request.uri.path, after: "\(Self.prefix)/object/")
        let method = request.method == .head ? HTTPRequest.Method.get : request.method
        switch (method, segments.first) {
        case (.get, "public"):
            return try await downloadPublic(request, ObjectPath(segments.dropFirst()))
        case (.get, "sign"):
            return try await downloadSigned(request, ObjectPath(segments.dropFirst()))
        case (.get, "authenticated"):
            return try await download(request, ObjectPath(segments.dropFirst()))
        case (.get, "info"):
            var rest = segments.dropFirst()
            if rest.first == "public" || rest.first == "authenticated" { rest = rest.dropFirst() }
            return try await info(request, ObjectPath(rest))
        case (.get, _):
            return try await download(request, ObjectPath(segments[...]))
        case (.post, "list"):
            return try await list(request, bucket: try ObjectPath.bucketOnly(segments.dropFirst()))
        case (.post, "move"):
            return try await move(request, keepSource: false)
        case (.post, "copy"):
            return try await move(request, keepSource: true)
        case (.post, "sign") where segments.count == 2:
            return try await signMany(request, bucket: segments[1])
        case (.post, "sign"):
            return try await sign(request, ObjectPath(segments.dropFirst()))
        case (.post, _):
            return try await upload(request, context, ObjectPath(segments[...]), alwaysReplace: false)
        case (.put, _):
            // PUT is Storage's `updateObject`: an upload that replaces.
            return try await upload(request, context, ObjectPath(segments[...]), alwaysReplace: true)
        case (.delete, _) where segments.count == 1:
            return try await remove(request, bucket: segments[0])
        case (.delete, _):
            return try await removeOne(request, ObjectPath(segments[...]))
        default:
            throw StorageError(.notFound, statusCode: "404", error: "Not Found", code: "NotFound", message: "Route \(request.method) \(request.uri.path) not found")
        }
    }

    /// The path after `prefix`, split on `/` and percent-decoded per segment.
    static func segments(_ path: String, after prefix: String) -> [String] {
        guard path.hasPrefix(prefix) else { return [] }
        return path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true)
            .map { $0.removingPercentEncoding ?? String($0) }
    }

    /// The caller, by apikey and bearer token.
    func identify(_ request: Request) async throws -> RequestIdentity {
        do {
            return try await api.gate.identify(request)
        } catch {
            throw error.storageError
        }
    }

    /// The storage service itself, for what Storage does "as super user": bucket settings, and
    /// reading an object that a signed URL or a public bucket has already authorized.
    static let storageService = RequestIdentity(role: "service_role", claimsJSON: #"{"role":"service_role"}"#,
                                                claims: AccessTokenClaims(role: "service_role", ttl: 60), token: "")

    /// One transaction as `identity` (RLS applies unless it is the service).
    func transaction<T: Sendable>(_ request: Request, as identity: RequestIdentity, _ work: (PostgresConnection) async throws -> T) async throws -> T {
        try await api.session.run(as: identity, request: .init(request), logger: api.logger, work)
    }

    /// Runs a handler and turns every failure into Storage's error body; an unexpected one is
    /// logged in full and answered with the request id only.
    func answer(_ request: Request, _ context: GatewayRequestContext, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as StorageError {
            return error.response
        } catch let error as NIOTooManyBytesError {
            return StorageError.requestTooLarge(limit: error.maxBytes ?? 0).response
        } catch let error as PSQLError {
            if let mapped = Self.storageError(error) { return mapped.response }
            context.logger.error("storage request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return StorageError.internalError(requestID: context.requestID).response
        } catch {
            context.logger.error("storage request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return StorageError.internalError(requestID: context.requestID).response
        }
    }

    /// PostgreSQL errors a client caused, as Storage maps them (`DBError.fromDBError`); Banquet's
    /// own `BQ…` errors carry a message written for people, so it is passed on.
    static func storageError(_ error: PSQLError) -> StorageError? {
        guard let sqlState = error.serverInfo?[.sqlState] else { return nil }
        let message = error.serverInfo?[.message] ?? ""
        switch sqlState {
        case "42501":
            return .accessDenied(message.contains("row-level security") ? "new row violates row-level security policy" : message)
        case "23505":
            return .duplicate
        case "BQ002":
            return .invalidRequest(message, statusCode: "404")
        case let code where code.hasPrefix("BQ") || code == "P0001":
            let hint = error.serverInfo?[.hint].map { " (\($0))" } ?? ""
            return .invalidRequest(message + hint)
        default:
            return nil
        }
    }
}

/// `<bucket>/<name…>` from the URL: the bucket is the first segment, the name the rest.
struct ObjectPath {
    let bucket: String
    let name: String

    init(_ segments: ArraySlice<String>) throws {
        guard let bucket = segments.first, segments.count >= 2 else {
            throw StorageError.invalidRequest("the path must name a bucket and an object: <bucket>/<name>")
        }
        let name = segments.dropFirst().joined(separator: "/")
        guard name.utf8.count <= 1024, !segments.dropFirst().contains(where: { $0 == "." || $0 == ".." || $0.contains("\0") }) else {
            throw StorageError(statusCode: "400", error: "InvalidKey", code: "InvalidKey", message: "Invalid key: \(name)")
        }
        self.bucket = bucket
        self.name = name
    }

    static func bucketOnly(_ segments: ArraySlice<String>) throws -> String {
        guard segments.count == 1, let bucket = segments.first else { throw StorageError.invalidRequest("the path must name one bucket") }
        return bucket
    }

    /// `/object/sign/<bucket>/<name>` with each segment percent-encoded for a URL path.
    var urlPath: String {
        ([bucket] + name.split(separator: "/").map(String.init))
            .map { $0.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? $0 }.joined(separator: "/")
    }

    private static let segmentCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@")
}
