import Foundation
import Hummingbird
import NIOCore

/// The file of an upload, whichever way the client sent it.
struct UploadedFile {
    var bytes: [UInt8]
    var contentType: String
    /// `max-age=<seconds>`, as Storage stores it.
    var cacheControl: String

    /// storage3 and supabase-js send `multipart/form-data` (a `file` part plus a `cacheControl`
    /// field); other clients PUT the raw bytes with their Content-Type and a `cache-control` header.
    init(_ request: Request, body: ByteBuffer) throws {
        let bytes = Array(buffer: body)
        let contentType = request.headers[.contentType]
        if let boundary = MultipartForm.boundary(contentType: contentType) {
            let form = try MultipartForm(body: bytes, boundary: boundary)
            guard let file = form.parts.first(where: { $0.filename != nil }) ?? form.part(named: "file") ?? form.parts.first(where: { $0.name == "" }) else {
                throw StorageError(statusCode: "400", error: "Invalid Request", code: "InvalidRequest", message: "No content provided")
            }
            self.bytes = Array(file.body)
            self.contentType = file.contentType ?? "application/octet-stream"
            self.cacheControl = Self.cacheControl(form.text(named: "cacheControl"))
        } else {
            self.bytes = bytes
            self.contentType = contentType ?? "application/octet-stream"
            self.cacheControl = Self.cacheControl(request.headers[.cacheControl])
        }
    }

    /// `3600` → `max-age=3600`; a full directive is kept; nothing → Storage's default.
    static func cacheControl(_ value: String?) -> String {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return "max-age=3600" }
        return value.allSatisfy(\.isNumber) ? "max-age=\(value)" : value
    }
}
