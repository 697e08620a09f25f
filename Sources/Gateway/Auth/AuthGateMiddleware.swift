import Foundation
import Hummingbird
import Logging

/// Runs before every `/auth/v1` route: the apikey check Supabase's API gateway makes in front of
/// GoTrue (`gate`; nil on the routes Supabase leaves open, see `AuthRoutes.register`), and the
/// last word on errors — anything that is not already a GoTrue-shaped answer
/// becomes GoTrue's 500 carrying only the request id, which the log line also carries, so no
/// driver text, connection string or stack ever reaches a client.
struct AuthGateMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gate: APIGate?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do throws(APIGateRefusal) {
            _ = try await gate?.identify(request)
        } catch {
            switch error {
            case .missingAPIKey: throw APIKeyRefusal.missing
            case .invalidAPIKey: throw APIKeyRefusal.invalid
            case .token:
                // The apikey is good; the bearer token is each route's business (GoTrue ignores
                // it on signup and the grants, and answers `bad_jwt` itself on `/user`).
                break
            }
        }
        do {
            return try await next(request, context)
        } catch let error as GoTrueError {
            if error.status.code >= 500 {
                context.logger.error("auth: request failed", metadata: ["error_code": "\(error.code)"])
            }
            throw error
        } catch let error as APIKeyRefusal {
            throw error
        } catch {
            context.logger.error("auth: unexpected failure", metadata: ["error": "\(String(reflecting: error))"])
            throw GoTrueError.unexpected(requestID: context.requestID)
        }
    }
}
