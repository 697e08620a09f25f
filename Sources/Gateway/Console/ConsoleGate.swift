import Foundation
import HTTPTypes
import Hummingbird

/// In front of every console route but the login form: no operator credential, no answer.
/// An HTML page sends a browser to the login form; the JSON API and every POST answer 401.
/// A cookie-authenticated POST from another origin answers 403 (CSRF).
struct ConsoleGate: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let access: ConsoleAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let credential = await access.credential(of: request) else {
            if request.method == .get, !request.uri.path.hasPrefix(ConsoleRoutes.apiPrefix), request.headers[.authorization] == nil {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                let location = "/console/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
            }
            return ConsoleResponse.json(status: .unauthorized, ["error": "console: operator credential required (BANQUET_CONSOLE_TOKEN or the service-role key)"],
                                        headers: [.wwwAuthenticate: #"Bearer realm="banquet-console""#])
        }
        if request.method == .post, credential == .session, !access.isSameOrigin(request) {
            return ConsoleResponse.json(status: .forbidden, ["error": "console: cross-origin request refused"])
        }
        var response = try await next(request, context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
