import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO

/// What a download needs from the object's row.
struct ObjectRecord: Sendable {
    var id: UUID
    var contentType: String
    var cacheControl: String?
    var eTag: String?
}

extension StorageRoutes {
    /// The row of `path`, as `identity` sees it (nil when it does not exist or RLS hides it).
    func objectRecord(_ request: Request, _ path: ObjectPath, as identity: RequestIdentity) async throws -> ObjectRecord? {
        try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                select o.id, o.metadata ->> 'mimetype', o.metadata ->> 'cacheControl', o.metadata ->> 'eTag'
                from storage.objects o
                where o.bucket_id = \(path.bucket) and o.name = \(path.name)
                """, logger: api.logger)
            for try await (id, contentType, cacheControl, eTag) in rows.decode((UUID, String?, String?, String?).self) {
                return ObjectRecord(id: id, contentType: contentType ?? "application/octet-stream", cacheControl: cacheControl, eTag: eTag)
            }
            return nil
        }
    }

    /// `GET /object/<bucket>/<name>` and `/object/authenticated/…`: RLS decides.
    func download(_ request: Request, _ path: ObjectPath) async throws -> Response {
        let identity = try await identify(request)
        guard let record = try await objectRecord(request, path, as: identity) else { throw StorageError.objectNotFound }
        return try await bytes(request, path, record)
    }

    /// `GET /object/public/<bucket>/<name>`: no key needed (an `<img src>`), public buckets only,
    /// read as the storage service — a public bucket's objects are readable by anyone who knows
    /// the path, as in Supabase, while listing them still goes through RLS.
    func downloadPublic(_ request: Request, _ path: ObjectPath) async throws -> Response {
        guard let bucket = try await bucketSettings(request, path.bucket), bucket.isPublic else { throw StorageError.bucketNotFound }
        guard let record = try await objectRecord(request, path, as: Self.storageService) else { throw StorageError.objectNotFound }
        return try await bytes(request, path, record)
    }

    /// `GET /object/sign/<bucket>/<name>?token=…`: the token is the authorization.
    func downloadSigned(_ request: Request, _ path: ObjectPath) async throws -> Response {
        guard let token = request.uri.queryParameters["token"].map(String.init), !token.isEmpty else {
            throw StorageError(statusCode: "400", error: "Error", code: "InvalidRequest", message: "querystring must have required property 'token'")
        }
        let claims = try await api.issuer.verifyObjectURL(token, bucket: path.bucket, name: path.name)
        guard let record = try await objectRecord(request, path, as: Self.storageService) else { throw StorageError.objectNotFound }
        var response = try await bytes(request, path, record)
        response.headers[.expires] = HTTPDate.format(Date(timeIntervalSince1970: TimeInterval(claims.exp)))
        return response
    }

    /// `GET /object/info/<bucket>/<name>`: the object's row, as storage3's `info` and `exists` read it.
    func info(_ request: Request, _ path: ObjectPath) async throws -> Response {
        let identity = try await identify(request)
        let json: String? = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                select json_build_object(
                  'id', o.id, 'name', o.name, 'bucket_id', o.bucket_id, 'version', o.version,
                  'size', (o.metadata ->> 'size')::bigint, 'content_type', o.metadata ->> 'mimetype',
                  'cache_control', o.metadata ->> 'cacheControl', 'etag', o.metadata ->> 'eTag',
                  'last_modified', o.updated_at, 'created_at', o.created_at, 'metadata', o.metadata)::text
                from storage.objects o where o.bucket_id = \(path.bucket) and o.name = \(path.name)
                """, logger: api.logger)
            for try await json in rows.decode(String.self) { return json }
            return nil
        }
        guard let json else { throw StorageError.objectNotFound }
        return StorageJSON.raw(Data(json.utf8))
    }

    /// The bytes with the headers Storage sends; `?download[=name]` makes it an attachment.
    func bytes(_ request: Request, _ path: ObjectPath, _ record: ObjectRecord) async throws -> Response {
        guard let bytes = try await store.read(bucket: path.bucket, key: path.name) else {
            api.logger.warning("storage object has a row but no bytes", metadata: ["bucket": "\(path.bucket)", "name": "\(path.name)"])
            throw StorageError.objectNotFound
        }
        var headers: HTTPFields = [.contentType: record.contentType, .contentLength: String(bytes.count)]
        if let cacheControl = record.cacheControl { headers[.cacheControl] = cacheControl }
        if let eTag = record.eTag { headers[.eTag] = eTag }
        if let download = request.uri.queryParameters["download"] {
            // `+` is a space in a query string, as Storage's (Node's) query parser reads it.
            let fileName = download.isEmpty ? String(path.name.split(separator: "/").last ?? "") : download.replacingOccurrences(of: "+", with: " ")
            let encoded = fileName.addingPercentEncoding(withAllowedCharacters: Self.attributeCharacters) ?? fileName
            headers[.contentDisposition] = "attachment; filename*=UTF-8''\(encoded)"
        }
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    /// RFC 8187 `attr-char`: ASCII letters and digits and `!#$&+-.^_`|~`; everything else is %-encoded.
    static let attributeCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
}
