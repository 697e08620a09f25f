import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An `/auth/v1` failure, answered in the shape GoTrue gives it so supabase clients raise a parsed
/// `AuthApiError` (status, `code`, message).
///
/// GoTrue picks the body by the request's `X-Supabase-Api-Version` (internal/api/errors.go): from
/// 2024-01-01 on it answers `{"code": "<error_code>", "message": …}` and echoes the version
/// header; without the header (curl, older clients) the original `{"code": <status>,
/// "error_code": …, "msg": …}`. Both carry `x-sb-error-code`. supabase-py reads either.
struct GoTrueError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    /// GoTrue's `error_code` (internal/api/apierrors/errorcode.go).
    let code: String
    let message: String
    /// For `weak_password`: which rules the password broke (`length`, …).
    var weakPasswordReasons: [String]? = nil
    /// For 429s: seconds until the client may try again.
    var retryAfter: Int? = nil
    /// For 5xx: the request id, which the server's log line also carries (GoTrue's `error_id`).
    var errorID: String? = nil

    static let versionHeader = HTTPField.Name("X-Supabase-Api-Version")!
    static let errorCodeHeader = HTTPField.Name("x-sb-error-code")!
    static let version20240101 = "2024-01-01"

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", Self.errorCodeHeader: code]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        var body: [String: Any]
        if Self.prefersVersion20240101(request.headers[Self.versionHeader]) {
            headers[Self.versionHeader] = Self.version20240101
            body = ["code": code, "message": message]
        } else {
            body = ["code": Int(status.code), "error_code": code, "msg": message]
            if let errorID { body["error_id"] = errorID }
        }
        if let weakPasswordReasons { body["weak_password"] = ["reasons": weakPasswordReasons] }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// GoTrue's `DetermineClosestAPIVersion`: a date on or after 2024-01-01 selects that version;
    /// anything else (absent, earlier, unparsable) the initial one.
    static func prefersVersion20240101(_ header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: "-")
        guard header.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return false }
        return header >= version20240101  // zero-padded ISO dates order as strings
    }
}

extension GoTrueError {
    static func validation(_ message: String, status: HTTPResponse.Status = .badRequest) -> GoTrueError {
        GoTrueError(status: status, code: "validation_failed", message: message)
    }

    static func badJSON() -> GoTrueError {
        GoTrueError(status: .badRequest, code: "bad_json", message: "Could not parse request body as JSON")
    }

    static let invalidCredentials = GoTrueError(status: .badRequest, code: "invalid_credentials", message: "Invalid login credentials")

    /// GoTrue refuses a token it cannot verify with 403 (internal/api/auth.go `parseJWTClaims`).
    static func badJWT(_ reason: String) -> GoTrueError {
        GoTrueError(status: .forbidden, code: "bad_jwt", message: reason)
    }

    static func rateLimited(retryAfter: Int) -> GoTrueError {
        GoTrueError(status: .tooManyRequests, code: "over_request_rate_limit", message: "Request rate limit reached", retryAfter: retryAfter)
    }

    static func unexpected(requestID: String) -> GoTrueError {
        GoTrueError(status: .internalServerError, code: "unexpected_failure",
                    message: "Unexpected failure, please check server logs for more information", errorID: requestID)
    }
}
