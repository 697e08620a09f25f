import BanquetCore
import Foundation

/// Reading webhook JSON whose shape belongs to the provider: missing fields read as nil.
extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value.rounded() == value ? String(Int64(value)) : String(value)
        default: nil
        }
    }

    var int: Int? {
        switch self {
        case .number(let value): Int(exactly: value.rounded())
        case .string(let value): Int(value)
        default: nil
        }
    }

    var array: [JSONValue] {
        if case .array(let values) = self { return values }
        return []
    }

    /// Compact JSON text, for `ingest_webhook_event`'s payload.
    var jsonText: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "null"
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw EdgeFailure.badRequest("the body is not JSON")
        }
    }
}
