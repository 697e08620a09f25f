import BanquetCore
import Foundation

/// The JSON schemas every AI answer is held to. Written for OpenAI's strict mode (every property
/// required, nullable ones typed `[…, "null"]`, no additional properties), which Bedrock's tool
/// input schemas and our own `JSONSchemaValidator` read as well.
enum AISchemas {
    static let dietaryTags = ["vegetarian", "vegan", "gluten_free", "dairy_free", "pescatarian"]
    static let intents = ["booking_request", "availability_question", "menu_question", "change", "cancellation", "complaint", "other"]

    static func object(_ properties: [String: JSONValue]) -> JSONValue {
        .object([
            "type": .string("object"), "additionalProperties": .bool(false),
            "required": .array(properties.keys.sorted().map(JSONValue.string)), "properties": .object(properties),
        ])
    }

    static func string(max: Int, nullable: Bool = false, min: Int = 0) -> JSONValue {
        var rules: [String: JSONValue] = ["type": nullable ? .array([.string("string"), .string("null")]) : .string("string"),
                                          "maxLength": .number(Double(max))]
        if min > 0 { rules["minLength"] = .number(Double(min)) }
        return .object(rules)
    }

    static func integer(min: Int, max: Int, nullable: Bool = false) -> JSONValue {
        .object(["type": nullable ? .array([.string("integer"), .string("null")]) : .string("integer"),
                 "minimum": .number(Double(min)), "maximum": .number(Double(max))])
    }

    static func array(_ items: JSONValue, max: Int, min: Int = 0) -> JSONValue {
        .object(["type": .string("array"), "items": items, "minItems": .number(Double(min)), "maxItems": .number(Double(max))])
    }

    static let proposalDraft = object([
        "title": string(max: 200),
        "notes": string(max: 2000),
        "items": array(object([
            "menu_item_id": string(max: 64, nullable: true),
            "package_id": string(max: 64, nullable: true),
            "quantity": integer(min: 1, max: 100_000),
        ]), max: 40, min: 1),
    ])

    static let classifyMessage = object([
        "intent": .object(["type": .string("string"), "enum": .array(intents.map(JSONValue.string))]),
        "confidence": .object(["type": .string("number"), "minimum": .number(0), "maximum": .number(1)]),
        "language": string(max: 16, min: 2),
        "suggested_reply": string(max: 2000),
    ])

    static let menuExtraction = object([
        "name": string(max: 200, nullable: true),
        "currency": .object(["type": .array([.string("string"), .string("null")]), "maxLength": .number(3), "minLength": .number(3)]),
        "sections": array(object([
            "name": string(max: 200, nullable: true),
            "items": array(object([
                "name": string(max: 200, min: 1),
                "description": string(max: 1000, nullable: true),
                "price_minor": integer(min: 0, max: 100_000_000),
                "dietary": array(.object(["type": .string("string"), "enum": .array(dietaryTags.map(JSONValue.string))]), max: 5),
            ]), max: 300),
        ]), max: 50),
        "packages": array(object([
            "name": string(max: 200, min: 1),
            "description": string(max: 1000, nullable: true),
            "price_per_guest_minor": integer(min: 0, max: 100_000_000),
            "min_guests": integer(min: 1, max: 10_000, nullable: true),
        ]), max: 50),
    ])
}
