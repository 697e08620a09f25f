import BanquetCore
import HTTPTypes
import Hummingbird

/// CORS for browser clients (the supabase-js frontend): `BANQUET_CORS_ORIGINS` is `*` (default,
/// as Supabase answers) or a comma-separated list of allowed origins. Preflights are answered
/// here; other responses get the allow-origin header. Edge functions (`/functions/v1/…`) are left
/// alone: each sets its own policy (the inquiry form allows only the venue's own site). The
/// operator console (`/console`) is same-origin only and gets no CORS headers.
struct GatewayCORSMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let origins: Set<String>?  // nil: any origin

    static let allowHeaders = "authorization, apikey, content-type, x-client-info, prefer, accept-profile, content-profile, range, x-upsert, cache-control, x-supabase-api-version"
    static let exposeHeaders = "Content-Range, Content-Profile, X-Request-Id, Retry-After"

    init(_ environment: BanquetCore.Environment) {
        let raw = environment.string("BANQUET_CORS_ORIGINS", default: "*")
        origins = raw == "*" ? nil : Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], !request.uri.path.hasPrefix("/functions/"), !request.uri.path.hasPrefix("/console") else {
            return try await next(request, context)
        }
        let allowed = origins == nil || origins!.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else { return Response(status: .forbidden) }
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origins == nil ? "*" : origin
            headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            headers[.accessControlAllowHeaders] = Self.allowHeaders
            headers[.accessControlMaxAge] = "86400"
            if origins != nil { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origins == nil ? "*" : origin
            response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
            if origins != nil { response.headers[.vary] = "Origin" }
        }
        return response
    }
}
