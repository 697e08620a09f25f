import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// `/rest/v1`: PostgREST-compatible RPC (`/rest/v1/rpc/<fn>`) and the OpenAPI description
/// (`GET /rest/v1/`). docs/gateway.md describes the wire behaviour.
struct RESTRoutes {
    let api: ClientAPI
    let configuration: RESTConfiguration
    let cache: SchemaCache
    let anonymousLimiter: IPRateLimiter

    init(api: ClientAPI) throws {
        self.api = api
        self.configuration = try RESTConfiguration(api.environment)
        self.cache = SchemaCache(schemas: configuration.schemas)
        self.anonymousLimiter = IPRateLimiter(limit: configuration.anonymousCallsPerMinute, window: 60)
    }

    /// Keeps the schema cache current: loads it, then reloads on `NOTIFY pgrst`.
    func cacheService() throws -> SchemaCacheService {
        SchemaCacheService(cache: cache, client: api.client, url: try api.environment.databaseURL(), logger: api.logger)
    }

    func register(on router: Router<GatewayRequestContext>) {
        let group = router.group("rest/v1")
        group.get("/") { request, context in await self.describe(request, context) }
        group.get("rpc/:function") { request, context in await self.call(request, context, isPost: false) }
        group.post("rpc/:function") { request, context in await self.call(request, context, isPost: true) }
        for method in [HTTPRequest.Method.put, .patch, .delete] {
            group.on("rpc/:function", method: method) { request, context in
                PostgRESTError.invalidRPCMethod(request.method.rawValue).response(requestID: context.requestID)
            }
        }
    }

    // MARK: RPC

    func call(_ request: Request, _ context: GatewayRequestContext, isPost: Bool) async -> Response {
        var request = request
        let name = context.parameters.get("function") ?? ""
        let identity: RequestIdentity
        do {
            identity = try await api.gate.identify(request)
        } catch {
            return Self.refusal(error, requestID: context.requestID)
        }
        if identity.isAnonymous, let retryAfter = anonymousLimiter.hit(context.clientIP(request, trustProxy: configuration.trustProxy)) {
            return PostgRESTError.tooManyRequests(retryAfter: retryAfter).response(requestID: context.requestID)
        }
        do {
            let schema = try selectedSchema(request, isPost: isPost)
            let accept = try ResponseShape(accept: request.headers[.accept])
            let prefer = Preferences(request.headers[values: .prefer])
            let arguments: RPCArguments
            var rawBody = "{}"
            if isPost {
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: configuration.maxBodyBytes)
                } catch {
                    throw PostgRESTError.payloadTooLarge(limit: configuration.maxBodyBytes)
                }
                let parsed = RPCArguments.fromBody(body)
                rawBody = parsed.raw
                if let named = parsed.arguments {
                    arguments = named
                } else if RPCArguments.isValidJSON(parsed.raw) {
                    // Not an object: only a function taking the whole body can accept it.
                    arguments = RPCArguments(json: parsed.raw, names: ["\u{0}body"])
                } else {
                    throw PostgRESTError.invalidBody()
                }
            } else {
                arguments = RPCArguments.fromQuery(request.uri)
            }
            if !cache.isLoaded { try await cache.reload(client: api.client, logger: context.logger) }
            let resolution = try RoutineResolver.resolve(schema: schema, name: name, argumentNames: arguments.names.subtracting(["\u{0}body"]),
                                                         isPost: isPost, cache: cache)
            let query: RPCQuery
            let routine: Routine
            let argumentsJSON: String
            switch resolution {
            case .named(let match):
                if arguments.names.contains("\u{0}body") { throw PostgRESTError.invalidBody() }
                routine = match
                query = RPCQuery(routine: match, argumentNames: arguments.names, wholeBody: false)
                argumentsJSON = arguments.json
            case .wholeBody(let match):
                routine = match
                query = RPCQuery(routine: match, argumentNames: [], wholeBody: true)
                argumentsJSON = rawBody
            }
            // As PostgREST: GET, and any call of a stable or immutable function, runs read-only.
            let readOnly = !isPost || routine.volatility != .volatile
            let (json, rows) = try await api.session.run(as: identity, request: .init(request), readOnly: readOnly, searchPath: schema,
                                                         logger: context.logger) { connection in
                let result = try await connection.query(query.query(argumentsJSON: argumentsJSON), logger: context.logger)
                for try await row in result.decode((String?, Int).self) { return row }
                return (nil, 0)
            }
            return try Self.shape(json: json, rows: rows, routine: routine, accept: accept, prefer: prefer, schema: schema,
                                  multipleSchemas: configuration.schemas.count > 1, requestID: context.requestID)
        } catch let error as PostgRESTError {
            return error.response(requestID: context.requestID)
        } catch {
            let mapped = PostgRESTError.database(error, anonymous: identity.isAnonymous, requestID: context.requestID)
            if mapped.status.code >= 500 {
                context.logger.error("rpc failed", metadata: ["function": "\(name)", "error": "\(DatabaseError.describe(error))"])
            }
            return mapped.response(requestID: context.requestID)
        }
    }

    /// `Accept-Profile` (GET) or `Content-Profile` (POST) picks one of the exposed schemas.
    func selectedSchema(_ request: Request, isPost: Bool) throws(PostgRESTError) -> String {
        guard let asked = request.headers[isPost ? .contentProfile : .acceptProfile] else { return configuration.schemas[0] }
        guard configuration.schemas.contains(asked) else { throw .unacceptableSchema(configuration.schemas) }
        return asked
    }

    static func shape(json: String?, rows: Int, routine: Routine, accept: ResponseShape, prefer: Preferences, schema: String,
                      multipleSchemas: Bool, requestID: String) throws(PostgRESTError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .requestID: requestID]
        if multipleSchemas { headers[.contentProfile] = schema }
        if case .void = routine.returns {
            return Response(status: .noContent, headers: headers)
        }
        var body = json ?? "null"
        if routine.returnsSet {
            if accept == .singleObject {
                guard rows == 1 else { throw .singularity(rows: rows) }
                body = Self.onlyElement(of: body)
                headers[.contentType] = "application/vnd.pgrst.object+json; charset=utf-8"
            }
            let range = rows == 0 ? "*" : "0-\(rows - 1)"
            headers[.contentRange] = "\(range)/\(prefer.exactCount ? String(rows) : "*")"
            if prefer.exactCount { headers[.preferenceApplied] = "count=exact" }
        } else if accept == .singleObject {
            headers[.contentType] = "application/vnd.pgrst.object+json; charset=utf-8"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// `[x]` → `x`: json_agg's output of exactly one element.
    static func onlyElement(of array: String) -> String {
        var text = Substring(array).drop(while: \.isWhitespace)
        text = text.dropFirst()  // [
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text.dropLast())  // ]
    }

    /// The API gateway's answers (as Supabase's Kong gives them) and PostgREST's for a bad JWT.
    static func refusal(_ refusal: APIGateRefusal, requestID: String) -> Response {
        switch refusal {
        case .missingAPIKey:
            return APIKeyRefusal.missing.response(requestID: requestID)
        case .invalidAPIKey:
            return APIKeyRefusal.invalid.response(requestID: requestID)
        case .token(let error):
            return PostgRESTError.invalidToken(error).response(requestID: requestID)
        }
    }

    // MARK: OpenAPI

    func describe(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        do {
            _ = try await api.gate.identify(request)
        } catch {
            return Self.refusal(error, requestID: context.requestID)
        }
        do {
            let schema = try selectedSchema(request, isPost: false)
            if !cache.isLoaded { try await cache.reload(client: api.client, logger: context.logger) }
            let document = OpenAPIDocument(schema: schema, routines: cache.snapshot.routines[schema] ?? [:], host: request.head.authority)
            return Response(status: .ok, headers: [.contentType: "application/openapi+json; charset=utf-8", .requestID: context.requestID],
                            body: .init(byteBuffer: ByteBuffer(bytes: document.json())))
        } catch let error as PostgRESTError {
            return error.response(requestID: context.requestID)
        } catch {
            context.logger.error("schema cache load failed", metadata: ["error": "\(DatabaseError.describe(error))"])
            return PostgRESTError.unavailable(requestID: context.requestID).response(requestID: context.requestID)
        }
    }
}

/// What the client asked for in `Accept`.
enum ResponseShape: Equatable {
    case json
    case singleObject

    init(accept: String?) throws(PostgRESTError) {
        guard let accept, !accept.isEmpty else { self = .json; return }
        let types = accept.split(separator: ",").map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        if types.contains("application/vnd.pgrst.object+json") || types.contains("application/vnd.pgrst.object") { self = .singleObject; return }
        if types.contains(where: { ["application/json", "*/*", "application/*", "application/openapi+json"].contains($0) }) { self = .json; return }
        throw .unsupportedMediaType(accept)
    }
}

/// The `Prefer` header's parts that RPC honours.
struct Preferences {
    var exactCount = false

    init(_ values: [String]) {
        for part in values.flatMap({ $0.split(separator: ",") }) {
            let item = part.trimmingCharacters(in: .whitespaces).lowercased()
            if item == "count=exact" || item == "count=planned" || item == "count=estimated" { exactCount = true }
        }
    }
}
