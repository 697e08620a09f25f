import Foundation

/// `GET /rest/v1/`: a Swagger 2.0 description of the exposed functions, as PostgREST serves one
/// (PostgREST's is Swagger 2.0 too). Each function is `POST /rpc/<name>` with its arguments as a
/// JSON body; stable and immutable ones also `GET /rpc/<name>` with query parameters.
struct OpenAPIDocument {
    let schema: String
    let routines: [String: [Routine]]
    let host: String?

    func json() -> Data {
        var paths: [String: Any] = ["/": [
            "get": [
                "summary": "OpenAPI description (this document)",
                "tags": ["Introspection"],
                "produces": ["application/openapi+json", "application/json"],
                "responses": ["200": ["description": "OK"]],
            ] as [String: Any],
        ]]
        for name in routines.keys.sorted() {
            // Overloads share a path; the first with named parameters describes it.
            guard let routine = routines[name]?.first(where: { !$0.takesWholeBody }) ?? routines[name]?.first else { continue }
            var operations: [String: Any] = ["post": post(routine)]
            if routine.volatility != .volatile { operations["get"] = get(routine) }
            paths["/rpc/\(name)"] = operations
        }
        var document: [String: Any] = [
            "swagger": "2.0",
            "info": [
                "title": "Banquet",
                "description": "Banquet's RPC functions in schema \(schema), PostgREST-compatible. Every call needs an `apikey` header; `Authorization: Bearer <token>` selects the caller.",
                "version": "12.2.0",
            ],
            "basePath": "/rest/v1",
            "schemes": ["http", "https"],
            "consumes": ["application/json", "application/vnd.pgrst.object+json"],
            "produces": ["application/json", "application/vnd.pgrst.object+json"],
            "paths": paths,
            "securityDefinitions": [
                "apikey": ["type": "apiKey", "name": "apikey", "in": "header"],
                "bearer": ["type": "apiKey", "name": "Authorization", "in": "header"],
            ],
            "security": [["apikey": [String]()]],
        ]
        if let host { document["host"] = host }
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    private func post(_ routine: Routine) -> [String: Any] {
        var properties: [String: Any] = [:]
        for parameter in routine.parameters where !parameter.name.isEmpty {
            properties[parameter.name] = Self.schema(for: parameter.type)
        }
        // Unknown argument names are refused (PGRST202), so the description says so.
        var body: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        let required = routine.parameters.filter { !$0.hasDefault && !$0.name.isEmpty }.map(\.name)
        if !required.isEmpty { body["required"] = required }
        if routine.takesWholeBody { body = ["type": "object"] }
        return operation(routine, parameters: [
            ["in": "body", "name": "args", "required": true, "schema": body],
            ["in": "header", "name": "Prefer", "required": false, "type": "string", "enum": ["count=exact"]],
        ])
    }

    private func get(_ routine: Routine) -> [String: Any] {
        let parameters: [[String: Any]] = routine.parameters.filter { !$0.name.isEmpty }.map { parameter in
            var entry: [String: Any] = ["in": "query", "name": parameter.name, "required": !parameter.hasDefault]
            for (key, value) in Self.schema(for: parameter.type) where key != "items" || parameter.type.hasSuffix("[]") {
                entry[key] = value
            }
            if parameter.type.hasSuffix("[]") { entry["collectionFormat"] = "multi" }
            if parameter.type == "jsonb" || parameter.type == "json" { entry["type"] = "string" }
            return entry
        }
        return operation(routine, parameters: parameters)
    }

    private func operation(_ routine: Routine, parameters: [[String: Any]]) -> [String: Any] {
        var operation: [String: Any] = [
            "tags": ["(rpc) \(routine.name)"],
            "parameters": parameters,
            "produces": ["application/json", "application/vnd.pgrst.object+json"],
            "responses": ["200": ["description": "OK"], "204": ["description": "No Content"]],
        ]
        if let description = routine.description {
            let firstLine = description.split(separator: "\n").first.map(String.init) ?? description
            operation["summary"] = firstLine
            operation["description"] = description
        }
        return operation
    }

    /// PostgREST's type mapping (src/PostgREST/Response/OpenAPI.hs), for the types our functions take.
    static func schema(for type: String) -> [String: Any] {
        if type.hasSuffix("[]") {
            return ["type": "array", "items": schema(for: String(type.dropLast(2)))]
        }
        switch type {
        case "integer", "smallint": return ["type": "integer", "format": "int32"]
        case "bigint": return ["type": "integer", "format": "int64"]
        case "numeric", "double precision", "real": return ["type": "number"]
        case "boolean": return ["type": "boolean"]
        case "uuid": return ["type": "string", "format": "uuid"]
        case "date": return ["type": "string", "format": "date"]
        case "timestamp with time zone", "timestamp without time zone": return ["type": "string", "format": "date-time"]
        case "time without time zone", "time with time zone": return ["type": "string", "format": "time"]
        case "json", "jsonb": return ["type": "object"]
        default: return ["type": "string"]
        }
    }
}
