import Connectors
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

extension StorageRoutes {
    /// Room for multipart framing and the form's text fields on top of the file itself.
    static let multipartSlack = 1 << 20

    func bucketSettings(_ request: Request, _ bucket: String) async throws -> BucketSettings? {
        try await transaction(request, as: Self.storageService) { connection in
            let rows = try await connection.query("""
                select coalesce(b.public, false), b.file_size_limit, b.allowed_mime_types,
                       (select max(x.file_size_limit) from storage.buckets x)
                from storage.buckets b where b.id = \(bucket)
                """, logger: api.logger)
            for try await (isPublic, limit, mimeTypes, largest) in rows.decode((Bool, Int?, [String]?, Int?).self) {
                return BucketSettings(isPublic: isPublic, fileSizeLimit: limit, allowedMimeTypes: mimeTypes, largestFileSizeLimit: largest)
            }
            return nil
        }
    }

    /// `POST /object/<bucket>/<name>` (create; `x-upsert: true` replaces) and `PUT` (replace).
    ///
    /// Order of writes, so that a crash at any point loses nothing and shows clients nothing half-done:
    /// 1. the bytes are staged where no reader looks (a temp file; S3 keeps them in memory);
    /// 2. the row is inserted in the caller's transaction — RLS (and the brochure trigger) decide
    ///    here, before any byte is at the object's key, so a refused upload leaves nothing behind
    ///    and cannot overwrite another tenant's file;
    /// 3. the bytes are published at the key (atomic rename / S3 PUT), still inside the transaction;
    /// 4. commit. Every read goes through the row, so bytes published by a transaction that never
    ///    committed (a crash between 3 and 4) are invisible; for a new object they are removed
    ///    when the commit fails. A crash before 3 leaves only a staged file, swept at start.
    func upload(_ request: Request, _ context: GatewayRequestContext, _ path: ObjectPath, alwaysReplace: Bool) async throws -> Response {
        let identity = try await identify(request)
        guard let bucket = try await bucketSettings(request, path.bucket) else { throw StorageError.bucketNotFound }
        let bodyLimit = (bucket.largestFileSizeLimit ?? defaultFileSizeLimit) + Self.multipartSlack
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw StorageError.requestTooLarge(limit: bodyLimit)
        }
        let file = try UploadedFile(request, body: body)
        guard bucket.allows(mimeType: file.contentType) else { throw StorageError.invalidMimeType(file.contentType) }
        guard file.bytes.count <= min(bucket.fileSizeLimit ?? defaultFileSizeLimit, defaultFileSizeLimit) else { throw StorageError.objectTooLarge }
        // PUT always replaces (Storage ignores `x-upsert` there); POST replaces only when asked.
        let upsert = alwaysReplace || request.headers[.xUpsert]?.lowercased() == "true"

        let metadata = Self.metadata(file)
        let staged = try await store.stage(file.bytes, bucket: path.bucket, key: path.name, contentType: file.contentType, cacheControl: file.cacheControl)
        let published = NIOLockedValueBox(false)
        do {
            let id: UUID = try await transaction(request, as: identity) { connection in
                let insert: PostgresQuery
                if upsert {
                    insert = """
                        insert into storage.objects (bucket_id, name, owner, metadata)
                        values (\(path.bucket), \(path.name), auth.uid(), \(metadata)::jsonb)
                        on conflict (bucket_id, name) do update
                          set owner = excluded.owner, metadata = excluded.metadata, updated_at = now(), last_accessed_at = now()
                        returning id
                        """
                } else {
                    insert = """
                        insert into storage.objects (bucket_id, name, owner, metadata)
                        values (\(path.bucket), \(path.name), auth.uid(), \(metadata)::jsonb)
                        returning id
                        """
                }
                let rows = try await connection.query(insert, logger: api.logger)
                var id: UUID?
                for try await value in rows.decode(UUID.self) { id = value }
                guard let id else { throw StorageError.internalError(requestID: context.requestID) }
                try await store.publish(staged)
                published.withLockedValue { $0 = true }
                return id
            }
            return StorageJSON.response(["Id": id.uuidString.lowercased(), "Key": "\(path.bucket)/\(path.name)"])
        } catch {
            await store.discard(staged)
            // Published but not committed: for a new object no row will ever point at these bytes.
            // (A replaced object keeps its old row; its bytes are the new ones, see the docs.)
            if published.withLockedValue({ $0 }) && !upsert {
                try? await store.delete(bucket: path.bucket, key: path.name)
            }
            throw error
        }
    }

    /// The `metadata` Storage keeps for an object (its S3 HEAD, in Storage's own names).
    static func metadata(_ file: UploadedFile) -> String {
        let eTag = "\"" + Insecure.MD5.hash(data: file.bytes).map { String(format: "%02x", $0) }.joined() + "\""
        let object: [String: Any] = [
            "eTag": eTag, "size": file.bytes.count, "mimetype": file.contentType, "cacheControl": file.cacheControl,
            "lastModified": ISO8601DateFormatter().string(from: Date()), "contentLength": file.bytes.count, "httpStatusCode": 200,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension HTTPField.Name {
    static let xUpsert = Self("x-upsert")!
}
