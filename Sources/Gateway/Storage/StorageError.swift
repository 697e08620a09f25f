import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error as Supabase Storage renders it: `{statusCode, error, code, message}`, which
/// storage3's `StorageApiError` parses (`message`, `error`, `statusCode`).
///
/// Storage's HTTP status is not the body's `statusCode`: its error handler answers every
/// 4xx-class error with HTTP 400 and puts the meaning in the body (`"404"`, `"409"`, `"413"`,
/// `"415"`; supabase/storage `src/http/error-handler.ts`, `userStatusCode`), and only a few
/// answers keep their own status (a body over the server's limit is a real 413, a missing
/// apikey a real 401 from the API gateway). `httpStatus` reproduces that; clients read the body.
struct StorageError: Error, Sendable {
    var httpStatus: HTTPResponse.Status
    var statusCode: String
    var error: String
    var code: String
    var message: String

    init(_ httpStatus: HTTPResponse.Status = .badRequest, statusCode: String, error: String, code: String, message: String) {
        self.httpStatus = httpStatus
        self.statusCode = statusCode
        self.error = error
        self.code = code
        self.message = message
    }

    static let objectNotFound = StorageError(statusCode: "404", error: "not_found", code: "NoSuchKey", message: "Object not found")
    static let bucketNotFound = StorageError(statusCode: "404", error: "Bucket not found", code: "NoSuchBucket", message: "Bucket not found")
    static let duplicate = StorageError(statusCode: "409", error: "Duplicate", code: "KeyAlreadyExists", message: "The resource already exists")
    static let objectTooLarge = StorageError(statusCode: "413", error: "Payload too large", code: "EntityTooLarge",
                                             message: "The object exceeded the maximum allowed size")
    static let invalidSignature = StorageError(statusCode: "400", error: "InvalidSignature", code: "InvalidSignature", message: "Invalid signature")
    static let missingAPIKey = StorageError(.unauthorized, statusCode: "401", error: "Unauthorized", code: "AccessDenied",
                                            message: "No API key found in request")
    static let invalidAPIKey = StorageError(.unauthorized, statusCode: "401", error: "Unauthorized", code: "AccessDenied", message: "Invalid API key")

    /// A request body over the server's limit: refused before it is read in full, with a real 413.
    static func requestTooLarge(limit: Int) -> StorageError {
        StorageError(.contentTooLarge, statusCode: "413", error: "Payload too large", code: "EntityTooLarge",
                     message: "The request body exceeded the limit of \(limit) bytes")
    }

    static func invalidMimeType(_ mimeType: String) -> StorageError {
        StorageError(statusCode: "415", error: "invalid_mime_type", code: "InvalidMimeType", message: "mime type \(mimeType) is not supported")
    }

    /// A refusal by RLS or a role check; Storage shortens PostgreSQL's RLS message to this.
    static func accessDenied(_ message: String) -> StorageError {
        StorageError(statusCode: "403", error: "Unauthorized", code: "AccessDenied", message: message)
    }

    static func invalidJWT(_ message: String) -> StorageError {
        StorageError(statusCode: "400", error: "InvalidJWT", code: "InvalidJWT", message: message)
    }

    static func invalidRequest(_ message: String, statusCode: String = "400") -> StorageError {
        StorageError(statusCode: statusCode, error: "InvalidRequest", code: "InvalidRequest", message: message)
    }

    /// An unexpected failure: the client gets the request id only, the log line has the rest.
    static func internalError(requestID: String) -> StorageError {
        StorageError(.internalServerError, statusCode: "500", error: "Internal", code: "InternalError",
                     message: "Internal Server Error (request id \(requestID))")
    }

    var response: Response {
        let body: [String: String] = ["statusCode": statusCode, "error": error, "code": code, "message": message]
        return StorageJSON.response(body, status: httpStatus)
    }
}

extension APIGateRefusal {
    /// How Storage's JWT check words the same failures (the `jsonwebtoken` messages): a bad
    /// bearer token is `AccessDenied` with that message.
    var storageError: StorageError {
        switch self {
        case .missingAPIKey: return .missingAPIKey
        case .invalidAPIKey: return .invalidAPIKey
        case .token(let error): return .accessDenied(error.storageMessage)
        }
    }
}

extension TokenError {
    var storageMessage: String {
        switch self {
        case .expired: "jwt expired"
        case .notYetValid: "jwt not active"
        case .malformed: "jwt malformed"
        case .invalidSignature: "invalid signature"
        case .unsupportedAlgorithm: "invalid algorithm"
        case .unknownRole(let role): "role \"\(role)\" does not exist"
        }
    }
}

/// JSON answers, built with `JSONSerialization` so bodies stay plain dictionaries and arrays.
enum StorageJSON {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return raw(data, status: status)
    }

    /// A body PostgreSQL already built as JSON text.
    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request body as a JSON object; anything else is Storage's 400.
    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        guard body.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw StorageError.invalidRequest("body must be a JSON object")
        }
        return object
    }
}
