import BanquetCore
import Foundation

/// Reading a realtime client's messages, whose shape belongs to the client: missing fields read as nil.
/// (edge/ has the same accessors for webhook bodies, internal to that target.)
extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// A string, or a number as the text a filter would compare it with.
    var string: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value.rounded() == value && abs(value) < 9.0e15 ? String(Int64(value)) : String(value)
        default: nil
        }
    }

    var array: [JSONValue] {
        if case .array(let values) = self { return values }
        return []
    }

    /// Compact JSON text.
    var jsonText: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "null"
    }
}
