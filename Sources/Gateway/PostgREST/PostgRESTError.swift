import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO

/// An error answered in PostgREST's shape: `{code, message, details, hint}` with PostgREST's
/// status for it. Database errors keep the server's code, message, detail and hint — these are
/// what our RPCs raise for clients (`BQ…`, `42501`, `P0001`). Anything unexpected becomes a 500
/// naming only the request id; the log line carries the rest.
struct PostgRESTError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: String?
    var hint: String?
    var headers: HTTPFields = [:]

    func response(requestID: String) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.requestID] = requestID
        let body = ErrorBody(code: code, message: message, details: details, hint: hint)
        let data = (try? JSONEncoder.postgrest.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct ErrorBody: Encodable {
        let code: String
        let message: String
        let details: String?
        let hint: String?

        // PostgREST writes `null` for a missing detail or hint rather than leaving the key out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(details, forKey: .details)
            try container.encode(hint, forKey: .hint)
            try container.encode(message, forKey: .message)
        }

        enum CodingKeys: String, CodingKey { case code, details, hint, message }
    }
}

extension PostgRESTError {
    // MARK: Request errors (PostgREST's ApiRequestError, codes PGRST1xx)

    static func invalidBody(_ message: String = "Empty or invalid json") -> Self {
        .init(status: .badRequest, code: "PGRST102", message: message)
    }

    static func unacceptableSchema(_ exposed: [String]) -> Self {
        .init(status: .notAcceptable, code: "PGRST106", message: "The schema must be one of the following: " + exposed.joined(separator: ", "))
    }

    static func unsupportedMediaType(_ accept: String) -> Self {
        .init(status: .notAcceptable, code: "PGRST107", message: "None of these media types are available: " + accept)
    }

    static func singularity(rows: Int) -> Self {
        .init(status: .notAcceptable, code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned",
              details: "The result contains \(rows) rows")
    }

    static func invalidRPCMethod(_ method: String) -> Self {
        .init(status: .methodNotAllowed, code: "PGRST101", message: "Cannot use the \(method) method on RPC")
    }

    static func payloadTooLarge(limit: Int) -> Self {
        .init(status: .contentTooLarge, code: "PGRST413", message: "Payload Too Large",
              details: "The request body exceeds \(limit) bytes")
    }

    static func tooManyRequests(retryAfter: Int) -> Self {
        var error = PostgRESTError(status: .tooManyRequests, code: "PGRST429", message: "Too many requests",
                                   details: "Anonymous calls from this address are rate limited", hint: "Retry after \(retryAfter) seconds")
        error.headers[.retryAfter] = String(retryAfter)
        return error
    }

    // MARK: JWT errors (PGRST3xx)

    static func invalidToken(_ error: TokenError) -> Self {
        var result = PostgRESTError(status: .unauthorized, code: "PGRST301", message: error.message)
        result.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(error.message)\""
        return result
    }

    // MARK: Unexpected failures

    static func internalError(requestID: String) -> Self {
        .init(status: .internalServerError, code: "PGRSTX00", message: "Internal server error",
              details: nil, hint: "Quote request id \(requestID) to the operator; the server log has the cause.")
    }

    static func unavailable(requestID: String) -> Self {
        .init(status: .serviceUnavailable, code: "PGRST001", message: "Database unavailable",
              details: nil, hint: "Retry shortly; request id \(requestID).")
    }
}

extension PostgRESTError {
    /// A database error as PostgREST answers it. Client errors (4xx) carry the server's message,
    /// detail and hint — the RPCs write those for people. Server-side failures (5xx) carry the
    /// SQLSTATE and the request id only: their text can name internals.
    static func database(_ error: any Error, anonymous: Bool, requestID: String) -> Self {
        guard let psql = error as? PSQLError, let info = psql.serverInfo, let sqlState = info[.sqlState] else {
            return (error as? PSQLError) != nil ? .unavailable(requestID: requestID) : .internalError(requestID: requestID)
        }
        let status = SQLStateStatus.status(for: sqlState, anonymous: anonymous)
        if status.code >= 500 {
            return .init(status: status, code: sqlState, message: status.code == 503 ? "Database unavailable" : "Internal server error",
                         details: nil, hint: "Quote request id \(requestID) to the operator; the server log has the cause.")
        }
        var result = PostgRESTError(status: status, code: sqlState, message: info[.message] ?? "", details: info[.detail], hint: info[.hint])
        if status == .unauthorized { result.headers[.wwwAuthenticate] = "Bearer" }
        return result
    }
}

/// PostgREST 12's SQLSTATE → HTTP status table (src/PostgREST/Error.hs, `pgErrorStatus`), plus
/// Banquet's own `BQ…`/`BR…` codes by meaning. docs/gateway.md prints this table.
enum SQLStateStatus {
    static func status(for sqlState: String, anonymous: Bool) -> HTTPResponse.Status {
        if let banquet = banquetStatus(sqlState) { return banquet }
        switch sqlState {
        case "23503", "23505": return .conflict
        case "25006": return .methodNotAllowed
        case "21000": return .internalServerError
        case "53400": return .internalServerError
        case "57P01": return .serviceUnavailable
        case "P0001": return .badRequest
        case "42883": return .notFound
        case "42P01": return .notFound
        case "42P17": return .internalServerError
        case "42501": return anonymous ? .unauthorized : .forbidden
        default: break
        }
        if sqlState.hasPrefix("PT"), let code = Int(sqlState.dropFirst(2)), (100...599).contains(code) {
            return HTTPResponse.Status(code: code)
        }
        switch String(sqlState.prefix(2)) {
        case "08": return .serviceUnavailable
        case "09": return .internalServerError
        case "0L", "0P": return .forbidden
        case "25": return .internalServerError
        case "28": return .forbidden
        case "2D", "38", "39", "3B", "40": return .internalServerError
        case "53": return .serviceUnavailable
        case "54", "55", "57", "58", "F0", "HV", "P0", "XX": return .internalServerError
        default: return .badRequest
        }
    }

    /// Banquet's codes (docs/database.md, "Errors"): not found → 404, a state that forbids the
    /// change → 409, a rate limit → 429, a superseded proposal link → 410, every other invalid argument → 400.
    static func banquetStatus(_ sqlState: String) -> HTTPResponse.Status? {
        switch sqlState {
        case "BQ002", "BQ104", "BQ202", "BR404": return .notFound
        case "BQ003", "BQ007", "BQ008", "BQ201", "BQ301", "BQ303", "BQ501", "BQ601", "BQ603", "BQ701", "BR409": return .conflict
        case "BQ105": return .tooManyRequests
        case "BQ205": return .gone
        default:
            return sqlState.hasPrefix("BQ") || sqlState.hasPrefix("BR") ? .badRequest : nil
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let contentRange = Self("Content-Range")!
    static let contentProfile = Self("Content-Profile")!
    static let acceptProfile = Self("Accept-Profile")!
    static let prefer = Self("Prefer")!
    static let preferenceApplied = Self("Preference-Applied")!
}

extension JSONEncoder {
    static let postgrest: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
