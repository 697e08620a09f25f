import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The apikey check's refusal, in the shape Supabase's API gateway (Kong) gives it: a bare
/// `{"message": …}` with 401, before GoTrue is reached.
struct APIKeyRefusal: Error, HTTPResponseError {
    let message: String
    let hint: String
    var status: HTTPResponse.Status { .unauthorized }

    static let missing = APIKeyRefusal(message: "No API key found in request", hint: "No `apikey` request header or url param was found.")
    static let invalid = APIKeyRefusal(message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key.")

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: nil)
    }

    func response(requestID: String?) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["message": message, "hint": hint], options: [.sortedKeys])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let requestID { headers[.requestID] = requestID }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
