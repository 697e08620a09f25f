import BanquetCore
import Foundation

/// A menu read from a brochure, before anyone reviewed it: what the LLM's schema describes and the
/// offline parser produces, and what `save_menu_extraction` stores as an inactive draft.
public struct ExtractedMenu: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var description: String?
        public var priceMinor: Int64
        public var dietary: [String]
    }
    public struct Section: Sendable, Equatable {
        public var name: String?
        public var items: [Item]
    }
    public struct Package: Sendable, Equatable {
        public var name: String
        public var description: String?
        public var pricePerGuestMinor: Int64
        public var minGuests: Int?
    }

    public var name: String?
    /// ISO 4217, when the brochure showed one (a symbol or a code).
    public var currency: String?
    public var sections: [Section]
    public var packages: [Package]

    public var itemCount: Int { sections.map(\.items.count).reduce(0, +) }

    /// The shape of the LLM schema (`MenuExtractionSchema`), so both paths are validated alike.
    public var json: JSONValue {
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return .object([
            "name": optional(name),
            "currency": optional(currency),
            "sections": .array(sections.map { section in
                .object(["name": optional(section.name), "items": .array(section.items.map { item in
                    .object(["name": .string(item.name), "description": optional(item.description),
                             "price_minor": .number(Double(item.priceMinor)), "dietary": .array(item.dietary.map(JSONValue.string))])
                })])
            }),
            "packages": .array(packages.map { package in
                .object(["name": .string(package.name), "description": optional(package.description),
                         "price_per_guest_minor": .number(Double(package.pricePerGuestMinor)),
                         "min_guests": package.minGuests.map { .number(Double($0)) } ?? .null])
            }),
        ])
    }

    /// What `save_menu_extraction` takes: items flattened with their section as the course.
    public static func writeBack(_ answer: JSONValue) -> JSONValue {
        var items: [JSONValue] = []
        for section in answer["sections"]?.array ?? [] {
            for item in section["items"]?.array ?? [] {
                items.append(.object([
                    "name": item["name"] ?? .null, "description": item["description"] ?? .null,
                    "section": section["name"] ?? .null, "price_minor": item["price_minor"] ?? .number(0),
                    "dietary": item["dietary"] ?? .array([]), "unit": .string("per_person"),
                ]))
            }
        }
        return .object(["name": answer["name"] ?? .null, "currency": answer["currency"] ?? .null,
                        "items": .array(items), "packages": answer["packages"] ?? .array([])])
    }
}
