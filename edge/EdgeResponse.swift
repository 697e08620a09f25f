import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Small constructors for the answers edge functions give.
public enum EdgeResponse {
    public static func json(status: HTTPResponse.Status = .ok, _ object: [String: any Sendable], headers: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func text(status: HTTPResponse.Status = .ok, _ text: String, contentType: String = "text/plain; charset=utf-8",
                            headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Reads the raw body (signatures are over the exact bytes) up to `limit`; more is a 413
    /// before anything is parsed or written.
    public static func rawBody(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw EdgeFailure.tooLarge(limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw EdgeFailure.tooLarge(limit)
        }
    }
}
