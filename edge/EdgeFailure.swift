import HTTPTypes
import Hummingbird

/// How an edge function refuses a request. Bodies say what was wrong in general terms only
/// (never which byte of a signature differed); the detail goes to the log.
public enum EdgeFailure: Error, Sendable {
    case unauthorized(String)
    case forbidden(String)
    case badRequest(String)
    case tooLarge(Int)
    case tooManyRequests(String)
    case notFound(String)
    case unavailable(String)
    case `internal`(String)

    var status: HTTPResponse.Status {
        switch self {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .badRequest: .badRequest
        case .tooLarge: .contentTooLarge
        case .tooManyRequests: .tooManyRequests
        case .notFound: .notFound
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    var message: String {
        switch self {
        case .unauthorized(let m), .forbidden(let m), .badRequest(let m), .tooManyRequests(let m), .notFound(let m),
             .unavailable(let m), .internal(let m): m
        case .tooLarge(let limit): "request body is larger than \(limit) bytes"
        }
    }

    /// `{"error": "…"}` with the status.
    public var response: Response {
        EdgeResponse.json(status: status, ["error": message])
    }
}
