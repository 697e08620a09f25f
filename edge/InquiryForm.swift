import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `/functions/v1/inquiry?venue=<id>`: the public inquiry form on a venue's own website.
///
/// Takes JSON or `application/x-www-form-urlencoded` (a plain HTML form) with `name`, `email`,
/// `phone`, `event_date`, `party_size`, `message`, `event_type`, `start_time` and the honeypot
/// `website`, and calls `public.submit_inquiry` as `anon` — which validates everything, drops
/// honeypot submissions silently, and limits submissions per email and per client IP (passed as
/// `x-real-ip`: the socket peer, or the first `X-Forwarded-For` hop when `trustProxy` — set
/// only behind a load balancer, else any client could pick its own address, as the gateway's
/// `clientIP` rule says). Browsers may post it only from the venue's `website_origins` (CORS,
/// with an OPTIONS preflight).
public struct InquiryForm: EdgeFunction {
    public let name = "inquiry"
    let database: EdgeDatabase
    let trustProxy: Bool
    let logger: Logger

    public init(database: EdgeDatabase, trustProxy: Bool, logger: Logger) {
        self.database = database
        self.trustProxy = trustProxy
        self.logger = logger
    }

    /// SQLSTATE → HTTP status for submit_inquiry's errors (as PostgREST maps them for the RPC).
    static func status(for sqlState: String?) -> HTTPResponse.Status {
        switch sqlState {
        case "BQ104": .notFound
        case "BQ105": .tooManyRequests
        case let code? where code.hasPrefix("BQ") || code == "22P02" || code == "22007" || code == "22008": .badRequest
        default: .internalServerError
        }
    }

    public func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            guard let venue = request.uri.queryParameters["venue"].map(String.init), UUID(uuidString: venue) != nil else {
                throw EdgeFailure.badRequest("name the venue: /functions/v1/inquiry?venue=<venue id>")
            }
            let cors = try await corsHeaders(venue: venue, origin: request.headers[.origin])
            if request.method == .options {
                return Response(status: .noContent, headers: cors)
            }
            guard request.method == .post else { throw EdgeFailure.badRequest("POST the form") }
            let fields = try await Self.fields(request)
            let forwarded = trustProxy ? request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first : nil
            let address = forwarded.map { $0.trimmingCharacters(in: .whitespaces) }
                ?? (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? ""
            let headers = String(decoding: try JSONSerialization.data(withJSONObject: ["x-real-ip": address]), as: UTF8.self)
            do {
                let id = try await database.transaction(role: "anon", headersJSON: headers, logger: logger) { connection -> String in
                    let rows = try await connection.query("""
                        select public.submit_inquiry(
                          \(venue)::uuid, \(fields["name"]), \(fields["email"]), \(fields["phone"]), \(fields["event_date"])::date,
                          \(fields["party_size"])::integer, \(fields["message"]), \(fields["event_type"]), \(fields["start_time"])::time,
                          \(fields["website"]))::text
                        """, logger: logger)
                    for try await id in rows.decode(String.self) { return id }
                    throw EdgeFailure.internal("submit_inquiry returned nothing")
                }
                return EdgeResponse.json(status: .created, ["inquiry_id": id], headers: cors)
            } catch let error as PSQLError {
                let info = error.serverInfo
                guard info != nil else { throw error }
                var body: [String: any Sendable] = ["code": info?[.sqlState] ?? "", "message": info?[.message] ?? "rejected"]
                if let hint = info?[.hint] { body["hint"] = hint }
                return EdgeResponse.json(status: Self.status(for: info?[.sqlState]), body, headers: cors)
            }
        } catch let failure as EdgeFailure {
            return failure.response
        }
    }

    /// CORS for the venue's own origins only; no Origin (a server-side post, curl) needs none.
    private func corsHeaders(venue: String, origin: String?) async throws -> HTTPFields {
        guard let origin else { return [:] }
        let allowed = try await database.transaction(logger: logger) { connection -> [String]? in
            let rows = try await connection.query("select public.venue_inquiry_origins(\(venue)::uuid)", logger: logger)
            for try await origins in rows.decode([String]?.self) { return origins }
            return nil
        }
        guard let allowed, allowed.contains(origin) else {
            throw EdgeFailure.forbidden("this origin may not post the venue's inquiry form")
        }
        return [.accessControlAllowOrigin: origin, .vary: "Origin", .accessControlAllowMethods: "POST, OPTIONS",
                .accessControlAllowHeaders: "Content-Type", .accessControlMaxAge: "600"]
    }

    static let names = ["name", "email", "phone", "event_date", "party_size", "message", "event_type", "start_time", "website"]

    /// The form's fields as text (SQL casts and validates them), from JSON or a URL-encoded body.
    static func fields(_ request: Request) async throws -> [String: String] {
        let body = try await EdgeResponse.rawBody(request, limit: 32 * 1024)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        var result: [String: String] = [:]
        if type.hasPrefix("application/x-www-form-urlencoded") {
            for (name, value) in URLEncodedForm.fields(String(decoding: body, as: UTF8.self)) where names.contains(name) { result[name] = value }
        } else if type.hasPrefix("application/json") {
            guard case .object(let object) = try JSONValue.parse(body) else { throw EdgeFailure.badRequest("the body is not a JSON object") }
            for (key, value) in object where names.contains(key) { result[key] = value.string }
        } else {
            throw EdgeFailure.badRequest("send application/json or application/x-www-form-urlencoded")
        }
        // Empty strings from an HTML form mean "not given".
        return result.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
