import Foundation
import Hummingbird
import HummingbirdCore

/// A call's arguments as one JSON object, from a POST body or a GET query string.
struct RPCArguments {
    var json: String
    var names: Set<String>

    /// Query parameters PostgREST reserves for shaping the result; they are never arguments.
    static let reserved: Set<String> = ["select", "order", "limit", "offset", "apikey", "columns", "on_conflict"]

    /// GET: every value is text, converted by PostgreSQL to the parameter's type; a repeated name
    /// is an array (`?ids=1&ids=2`), as PostgREST 12 takes it.
    static func fromQuery(_ uri: URI) -> RPCArguments {
        var values: [String: [String]] = [:]
        var order: [String] = []
        for (key, value) in uri.queryParameters {
            let name = String(key)
            guard !reserved.contains(name) else { continue }
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(String(value))
        }
        var object: [String: Any] = [:]
        for name in order {
            let list = values[name]!
            object[name] = list.count == 1 ? list[0] : list
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return RPCArguments(json: String(decoding: data, as: UTF8.self), names: Set(order))
    }

    /// POST: a JSON object of named arguments (an empty body is no arguments). Anything else
    /// is PostgREST's PGRST102, unless the function takes the whole body (decided later).
    static func fromBody(_ body: ByteBuffer) -> (arguments: RPCArguments?, raw: String) {
        let raw = String(buffer: body)
        if raw.allSatisfy(\.isWhitespace) { return (RPCArguments(json: "{}", names: []), "{}") }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) else {
            return (nil, raw)
        }
        guard let object = parsed as? [String: Any] else { return (nil, raw) }
        return (RPCArguments(json: raw, names: Set(object.keys)), raw)
    }

    static func isValidJSON(_ raw: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed])) != nil
    }
}
