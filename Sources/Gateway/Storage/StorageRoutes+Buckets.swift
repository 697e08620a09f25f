import Foundation
import Hummingbird
import PostgresNIO

extension StorageRoutes {
    /// `GET /bucket`: the buckets the caller may see (a policy lets everyone read their settings).
    func listBuckets(_ request: Request) async throws -> Response {
        let identity = try await identify(request)
        let json: String = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                select coalesce(json_agg(\(unescaped: Self.bucketJSON) order by b.name), '[]')::text from storage.buckets b
                """, logger: api.logger)
            for try await json in rows.decode(String.self) { return json }
            return "[]"
        }
        return StorageJSON.raw(Data(json.utf8))
    }

    /// `GET /bucket/<id>`.
    func getBucket(_ request: Request, id: String) async throws -> Response {
        let identity = try await identify(request)
        let json: String? = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                select (\(unescaped: Self.bucketJSON))::text from storage.buckets b where b.id = \(id)
                """, logger: api.logger)
            for try await json in rows.decode(String.self) { return json }
            return nil
        }
        guard let json else { throw StorageError.bucketNotFound }
        return StorageJSON.raw(Data(json.utf8))
    }

    /// A bucket in Storage's field names.
    static let bucketJSON = """
        json_build_object('id', b.id, 'name', b.name, 'owner', coalesce(b.owner::text, ''), 'public', coalesce(b.public, false),
          'file_size_limit', b.file_size_limit, 'allowed_mime_types', b.allowed_mime_types,
          'created_at', b.created_at, 'updated_at', b.updated_at)
        """
}
