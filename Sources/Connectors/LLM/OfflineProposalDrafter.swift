import BanquetCore
import Foundation

/// A proposal draft from the venue's own data, deterministically: the package that fits the
/// party (and its budget per guest, when given), else one dish per course — preferring dishes
/// that match dietary words in the guest's message — plus drinks when the menu has them.
/// It only ever names ids it was given and never a price: pricing is the database's.
enum OfflineProposalDrafter {
    static func draft(_ data: JSONValue) -> JSONValue {
        let inquiry = data["inquiry"] ?? .null
        let party = Int(inquiry["party_size"]?.numberValue ?? data["proposal"]?["guest_count"]?.numberValue ?? 1)
        let message = (inquiry["message"]?.stringValue ?? "").lowercased()
        let perGuestBudget = inquiry["budget_minor"]?.numberValue.map { $0 / Double(max(party, 1)) }
        var lines: [JSONValue] = []

        let packages = (data["packages"]?.array ?? [])
            .filter { Int($0["min_guests"]?.numberValue ?? 1) <= max(party, 1) }
            .sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
        let affordable = packages.filter { package in
            guard let budget = perGuestBudget else { return true }
            return (package["price_per_guest_minor"]?.numberValue ?? 0) <= budget
        }
        if let package = affordable.max(by: { ($0["price_per_guest_minor"]?.numberValue ?? 0) < ($1["price_per_guest_minor"]?.numberValue ?? 0) }),
           let id = package["id"]?.stringValue {
            lines.append(.object(["package_id": .string(id), "menu_item_id": .null, "quantity": .number(Double(max(party, 1)))]))
        } else {
            let items = (data["menus"]?.array ?? []).flatMap { $0["items"]?.array ?? [] }
            let wanted = dietaryWishes(in: message)
            for course in ["starter", "main", "dessert", "drinks"] {
                let candidates = items.filter { ($0["course"]?.stringValue ?? "").lowercased() == course }
                    .sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
                let suitable = candidates.first { item in
                    let tags = Set((item["dietary"]?.array ?? []).compactMap(\.stringValue))
                    return !wanted.isEmpty && !tags.isDisjoint(with: wanted)
                } ?? candidates.first
                guard let item = suitable, let id = item["id"]?.stringValue else { continue }
                let quantity = item["unit"]?.stringValue == "per_person" ? max(party, 1) : 1
                lines.append(.object(["menu_item_id": .string(id), "package_id": .null, "quantity": .number(Double(quantity))]))
            }
            if lines.isEmpty, let first = items.first, let id = first["id"]?.stringValue {
                lines.append(.object(["menu_item_id": .string(id), "package_id": .null, "quantity": .number(Double(max(party, 1)))]))
            }
        }
        let event = inquiry["event_type"]?.stringValue ?? "Your event"
        let venue = data["venue"]?["name"]?.stringValue ?? "the venue"
        return .object([
            "title": .string("\(event) at \(venue) for \(party) guests"),
            "notes": .string("Drafted offline from the venue's menus and packages (no AI model was called). Please review before sending."),
            "items": .array(lines),
        ])
    }

    static func dietaryWishes(in message: String) -> Set<String> {
        var wishes: Set<String> = []
        if message.contains("vegan") { wishes.insert("vegan") }
        if message.contains("vegetarian") || message.contains("veggie") { wishes.formUnion(["vegetarian", "vegan"]) }
        if message.contains("gluten") || message.contains("coeliac") || message.contains("celiac") { wishes.insert("gluten_free") }
        if message.contains("pescatarian") || message.contains("fish") { wishes.insert("pescatarian") }
        return wishes
    }
}
