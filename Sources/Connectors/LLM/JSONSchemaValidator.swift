import BanquetCore
import Foundation

/// Our own check of every model answer against its schema. A provider's structured-output mode
/// is a hint, not a guarantee (json_object mode checks nothing, and a strict mode can still be
/// off or unsupported behind a proxy), so nothing reaches the database unchecked.
///
/// Supports the JSON Schema keywords our prompts use: `type` (one or a list), `enum`,
/// `properties`, `required`, `additionalProperties: false`, `items`, `minItems`, `maxItems`,
/// `minimum`, `maximum`, `minLength`, `maxLength`. Errors name the JSON path, so a repair prompt
/// can tell the model exactly what to fix.
public enum JSONSchemaValidator {
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [String] {
        var errors: [String] = []
        check(value, schema, path: "$", errors: &errors)
        return errors
    }

    private static func check(_ value: JSONValue, _ schema: JSONValue, path: String, errors: inout [String]) {
        guard case .object(let rules) = schema else { return }
        if let types = rules["type"] {
            let allowed: [String] = switch types {
            case .string(let one): [one]
            case .array(let many): many.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: []
            }
            if !allowed.isEmpty, !allowed.contains(where: { matches(value, type: $0) }) {
                errors.append("\(path): expected \(allowed.joined(separator: " or ")), got \(typeName(value))")
                return
            }
        }
        if case .array(let options)? = rules["enum"], !options.contains(value) {
            let listed = options.map { if case .string(let s) = $0 { s } else { "\($0)" } }.joined(separator: ", ")
            errors.append("\(path): must be one of \(listed)")
        }
        switch value {
        case .object(let object):
            if case .array(let required)? = rules["required"] {
                for case .string(let key) in required where object[key] == nil || object[key] == .null && !allowsNull(rules, key) {
                    errors.append("\(path).\(key): is required")
                }
            }
            let properties: [String: JSONValue] = if case .object(let p)? = rules["properties"] { p } else { [:] }
            for key in object.keys.sorted() {
                if let propertySchema = properties[key] {
                    check(object[key]!, propertySchema, path: "\(path).\(key)", errors: &errors)
                } else if rules["additionalProperties"] == .bool(false) {
                    errors.append("\(path).\(key): is not allowed")
                }
            }
        case .array(let items):
            if case .number(let min)? = rules["minItems"], Double(items.count) < min {
                errors.append("\(path): needs at least \(Int(min)) items")
            }
            if case .number(let max)? = rules["maxItems"], Double(items.count) > max {
                errors.append("\(path): allows at most \(Int(max)) items")
            }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() {
                    check(item, itemSchema, path: "\(path)[\(index)]", errors: &errors)
                }
            }
        case .number(let number):
            if case .number(let min)? = rules["minimum"], number < min { errors.append("\(path): must be at least \(min)") }
            if case .number(let max)? = rules["maximum"], number > max { errors.append("\(path): must be at most \(max)") }
        case .string(let text):
            if case .number(let min)? = rules["minLength"], Double(text.count) < min {
                errors.append("\(path): must be at least \(Int(min)) characters")
            }
            if case .number(let max)? = rules["maxLength"], Double(text.count) > max {
                errors.append("\(path): must be at most \(Int(max)) characters")
            }
        default:
            break
        }
    }

    /// `required` with a nullable type (`["string", "null"]`) accepts an explicit null, as
    /// OpenAI's strict mode requires every property to be listed in `required`.
    private static func allowsNull(_ rules: [String: JSONValue], _ key: String) -> Bool {
        guard case .object(let properties)? = rules["properties"], case .object(let property)? = properties[key] else { return false }
        if case .array(let types)? = property["type"] { return types.contains(.string("null")) }
        return property["type"] == .string("null")
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number):
            return true
        case ("integer", .number(let n)):
            return n.rounded() == n
        default:
            return false
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// Parses JSON text. Models sometimes wrap their answer in a Markdown code fence even when told
    /// not to; the fence is removed, nothing else is forgiven.
    public static func parse(modelAnswer text: String) -> JSONValue? {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("```") {
            body = String(body.drop(while: { $0 != "\n" }).dropFirst())
            if body.hasSuffix("```") { body = String(body.dropLast(3)) }
        }
        guard let data = body.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}
