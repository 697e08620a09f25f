import Foundation
import Hummingbird
import PostgresNIO

extension StorageRoutes {
    static let sortColumns: Set<String> = ["name", "created_at", "updated_at", "last_accessed_at"]

    /// `POST /object/list/<bucket>` `{prefix, limit, offset, sortBy: {column, order}, search}`:
    /// one folder level, as Storage's `storage.search` answers it — the objects directly under
    /// `prefix` with their fields, and each deeper folder once, by name, with every other field
    /// null. `search` keeps entries whose name starts with it (case-insensitive). RLS decides
    /// which objects the caller sees, so a folder shows only when something in it is visible.
    func list(_ request: Request, bucket: String) async throws -> Response {
        let identity = try await identify(request)
        let options = try StorageJSON.object(try await request.body.collect(upTo: 64 * 1024))
        var prefix = options["prefix"] as? String ?? ""
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        let limit = min(max(Self.integer(options["limit"]) ?? 100, 0), 1000)
        let offset = max(Self.integer(options["offset"]) ?? 0, 0)
        let sortBy = options["sortBy"] as? [String: Any]
        let column = (sortBy?["column"] as? String).flatMap { Self.sortColumns.contains($0) ? $0 : nil } ?? "name"
        let order = (sortBy?["order"] as? String)?.lowercased() == "desc" ? "desc" : "asc"
        let search = Self.likeEscaped(options["search"] as? String ?? "") + "%"
        // The sort column and direction come from the allow-lists above, never from the client's text.
        let orderBy = column == "name" ? "e.name collate \"C\" \(order)" : "e.\(column) \(order), e.name collate \"C\""

        let json: String = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                with level as (
                  select substr(o.name, char_length(\(prefix)) + 1) as rest, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
                  from storage.objects o
                  where o.bucket_id = \(bucket) and left(o.name, char_length(\(prefix))) = \(prefix)
                ), entries as (
                  select distinct split_part(l.rest, '/', 1) as name, null::uuid as id, null::timestamptz as updated_at,
                         null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata
                  from level l where strpos(l.rest, '/') > 0
                  union all
                  select l.rest, l.id, l.updated_at, l.created_at, l.last_accessed_at, l.metadata
                  from level l where strpos(l.rest, '/') = 0
                ), page as (
                  select e.* from entries e
                  where e.name ilike \(search)
                  order by \(unescaped: orderBy)
                  limit \(limit) offset \(offset)
                )
                select coalesce(json_agg(json_build_object(
                  'name', p.name, 'id', p.id, 'updated_at', p.updated_at, 'created_at', p.created_at,
                  'last_accessed_at', p.last_accessed_at, 'metadata', p.metadata)), '[]')::text
                from page p
                """, logger: api.logger)
            for try await json in rows.decode(String.self) { return json }
            return "[]"
        }
        return StorageJSON.raw(Data(json.utf8))
    }

    /// storage3 sends numbers; some clients send numeric strings (`expiresIn: "60"`).
    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as Int: number
        case let number as Double: Int(number)
        case let text as String: Int(text)
        default: nil
        }
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
