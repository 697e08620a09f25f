import BanquetCore
import Foundation

/// Message triage without a model: keywords in English, Portuguese, Spanish, French and German
/// (the seeds' markets) pick the intent, stop words pick the language. Confidence reflects how
/// much evidence there was, so a message with no keyword falls below the threshold and goes to
/// a person — the safe default for a heuristic.
enum OfflineMessageClassifier {
    static let intents: [(intent: String, keywords: [String])] = [
        ("cancellation", ["cancel", "cancellation", "call off", "cancelar", "annuler", "stornieren", "absagen"]),
        ("complaint", ["complain", "complaint", "disappointed", "terrible", "awful", "refund", "reclamação", "queja", "plainte", "beschwerde"]),
        ("change", ["change", "move", "reschedule", "instead", "update", "add ", "more guests", "fewer guests", "alterar", "mudar", "cambiar", "modifier", "ändern", "set up"]),
        ("availability_question", ["available", "availability", "free on", "any dates", "disponível", "disponible", "verfügbar", "frei"]),
        ("menu_question", ["menu", "vegan", "vegetarian", "gluten", "allerg", "dish", "wine", "drinks", "ementa", "menú", "carte", "speisekarte"]),
        ("booking_request", ["book", "booking", "reserve", "reservation", "table for", "party of", "reservar", "réserver", "reservieren", "buchen"]),
    ]

    static let languages: [(code: String, words: Set<String>)] = [
        ("pt", ["o", "a", "de", "para", "obrigado", "olá", "não", "uma", "com", "pessoas"]),
        ("es", ["el", "la", "de", "para", "gracias", "hola", "una", "con", "personas", "queremos"]),
        ("fr", ["le", "la", "de", "pour", "merci", "bonjour", "une", "avec", "nous", "personnes"]),
        ("de", ["der", "die", "das", "für", "danke", "hallo", "eine", "mit", "wir", "personen"]),
        ("en", ["the", "a", "for", "thanks", "hello", "hi", "with", "we", "could", "people", "is", "can"]),
    ]

    static let replies: [String: String] = [
        "booking_request": "Thank you for thinking of us! Could you confirm the date, the number of guests and any dietary needs? We'll send a proposal right away.",
        "availability_question": "Thanks for asking — let me check availability for your date and come back to you shortly.",
        "menu_question": "Happy to help with the menu. I'll send you our current menus and can adapt dishes for dietary needs.",
        "change": "Thanks for letting us know. I'll look at the change with the team and confirm shortly.",
        "cancellation": "I'm sorry to hear that. I'll look at your booking and confirm the cancellation terms shortly.",
        "complaint": "I'm very sorry about this. A manager will look into it and get back to you today.",
        "other": "Thanks for your message — a member of our team will reply shortly.",
    ]

    static func classify(_ text: String) -> JSONValue {
        let lowered = text.lowercased()
        // Cancellations, complaints and changes outweigh the booking words they usually contain
        // ("cancel our booking"); on a tie the earlier intent in the list wins.
        let weights = ["cancellation": 2, "complaint": 2, "change": 2]
        var best = ("other", 0)
        for (intent, keywords) in intents {
            let score = keywords.filter { lowered.contains($0) }.count * (weights[intent] ?? 1)
            if score > best.1 { best = (intent, score) }
        }
        let confidence = best.1 == 0 ? 0.3 : min(0.55 + 0.1 * Double(best.1), 0.95)
        let words = Set(lowered.split(whereSeparator: { !$0.isLetter }).map(String.init))
        let language = languages.max { $0.words.intersection(words).count < $1.words.intersection(words).count }
            .flatMap { $0.words.intersection(words).isEmpty ? nil : $0.code } ?? "und"
        return .object([
            "intent": .string(best.0),
            "confidence": .number(confidence),
            "language": .string(language),
            "suggested_reply": .string(replies[best.0] ?? replies["other"]!),
        ])
    }
}
