import Foundation

/// Reading JSON whose shape belongs to someone else — a webhook body, a model's answer, a realtime
/// client's message: a missing field or a value of another type reads as nil (or `[]`), so callers
/// say with `guard let` what they require. One set of accessors for every target (the edge
/// functions, the LLM connectors and the realtime endpoint each had their own copy).
extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// A string only: `.number(3)` is nil (a model that answers 3 where text was asked is wrong).
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A string, or a number as the text it would be written as (`3`, not `3.0`): for ids and
    /// filter values that providers and clients send either way.
    public var string: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value.rounded() == value && abs(value) < 9.0e15 ? String(Int64(value)) : String(value)
        default: nil
        }
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// A whole number, from a number or from its digits as text (Stripe's amounts come as either).
    public var int: Int? {
        switch self {
        case .number(let value): abs(value) < 9.0e15 ? Int(exactly: value.rounded()) : nil
        case .string(let value): Int(value)
        default: nil
        }
    }

    /// The elements of an array; anything else reads as none.
    public var array: [JSONValue] {
        if case .array(let values) = self { return values }
        return []
    }

    /// Compact JSON text with sorted keys (stable for prompts, request bodies and tests).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }
}
