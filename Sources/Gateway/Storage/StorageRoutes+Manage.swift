import Foundation
import Hummingbird
import PostgresNIO

extension StorageRoutes {
    /// `DELETE /object/<bucket>` `{prefixes: [names]}`: removes what RLS lets the caller delete and
    /// answers with those rows (names the caller may not delete are silently kept, as in Storage).
    ///
    /// Rows go first, bytes after the commit: a crash in between leaves bytes no row points at,
    /// invisible to clients, never a row whose bytes are gone.
    func remove(_ request: Request, bucket: String) async throws -> Response {
        let identity = try await identify(request)
        let options = try StorageJSON.object(try await request.body.collect(upTo: 1 << 20))
        guard let names = options["prefixes"] as? [String], !names.isEmpty, names.count <= 1000 else {
            throw StorageError.invalidRequest("body must have property 'prefixes': 1 to 1000 object names")
        }
        let (json, removed): (String, [String]) = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                with removed as (
                  delete from storage.objects o where o.bucket_id = \(bucket) and o.name = any(\(names))
                  returning o.bucket_id, o.name, o.owner, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
                )
                select coalesce(json_agg(row_to_json(r)), '[]')::text, coalesce(array_agg(r.name), '{}')
                from removed r
                """, logger: api.logger)
            for try await result in rows.decode((String, [String]).self) { return result }
            return ("[]", [])
        }
        await deleteBytes(bucket: bucket, names: removed)
        return StorageJSON.raw(Data(json.utf8))
    }

    /// `DELETE /object/<bucket>/<name>`: one object; not found (or not allowed) is Storage's 404.
    func removeOne(_ request: Request, _ path: ObjectPath) async throws -> Response {
        let identity = try await identify(request)
        let removed: Bool = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                delete from storage.objects o where o.bucket_id = \(path.bucket) and o.name = \(path.name) returning o.id
                """, logger: api.logger)
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
        guard removed else { throw StorageError.objectNotFound }
        await deleteBytes(bucket: path.bucket, names: [path.name])
        return StorageJSON.response(["message": "Successfully deleted"])
    }

    /// Bytes whose rows are gone: a failure here only leaves an invisible orphan, so it is logged.
    func deleteBytes(bucket: String, names: [String]) async {
        for name in names {
            do {
                try await store.delete(bucket: bucket, key: name)
            } catch {
                api.logger.warning("storage bytes left after their row was removed", metadata: ["bucket": "\(bucket)", "name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// `POST /object/move` and `/object/copy` `{bucketId, sourceKey, destinationKey}`.
    ///
    /// Inside the caller's transaction: the row is renamed (move, RLS `update`) or a new row
    /// inserted (copy, RLS `insert`), then the bytes are copied to the destination, then commit;
    /// the source bytes of a move are removed only after the commit. A crash before the commit
    /// leaves at most an unreferenced copy; after it, at most unreferenced source bytes.
    func move(_ request: Request, keepSource: Bool) async throws -> Response {
        let identity = try await identify(request)
        let options = try StorageJSON.object(try await request.body.collect(upTo: 64 * 1024))
        guard let bucket = options["bucketId"] as? String, let sourceKey = options["sourceKey"] as? String,
              let destinationKey = options["destinationKey"] as? String else {
            throw StorageError.invalidRequest("body must have properties 'bucketId', 'sourceKey' and 'destinationKey'")
        }
        let source = try ObjectPath([bucket] + sourceKey.split(separator: "/").map(String.init))
        let destination = try ObjectPath([bucket] + destinationKey.split(separator: "/").map(String.init))
        let id: UUID = try await transaction(request, as: identity) { connection in
            let write: PostgresQuery
            if keepSource {
                write = """
                    insert into storage.objects (bucket_id, name, owner, metadata)
                    select o.bucket_id, \(destination.name), auth.uid(), o.metadata
                    from storage.objects o where o.bucket_id = \(bucket) and o.name = \(source.name)
                    returning id
                    """
            } else {
                write = """
                    update storage.objects o set name = \(destination.name), owner = auth.uid(), updated_at = now()
                    where o.bucket_id = \(bucket) and o.name = \(source.name)
                    returning o.id
                    """
            }
            let rows = try await connection.query(write, logger: api.logger)
            var id: UUID?
            for try await value in rows.decode(UUID.self) { id = value }
            guard let id else { throw StorageError.objectNotFound }
            try await store.copy(bucket: bucket, from: source.name, to: destination.name)
            return id
        }
        if keepSource {
            return StorageJSON.response(["Id": id.uuidString.lowercased(), "Key": "\(bucket)/\(destination.name)"])
        }
        await deleteBytes(bucket: bucket, names: [source.name])
        return StorageJSON.response(["message": "Successfully moved"])
    }
}
