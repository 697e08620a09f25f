import Foundation

/// JSON shown in the console (job payloads and results, outbox files) with the value of every
/// key named like a secret replaced by `***`, at any depth. Payloads should hold no secrets —
/// finished secret payloads are scrubbed by SQL — but a page on an operator's screen is the
/// wrong place to find out that one did.
enum PayloadRedaction {
    static let placeholder = "***"
    static let secretKeyFragments = ["secret", "token", "password", "passwd", "authorization", "api_key", "apikey", "cookie", "credential"]

    static func isSecretKey(_ key: String) -> Bool {
        let lowercased = key.lowercased()
        return secretKeyFragments.contains { lowercased.contains($0) }
    }

    /// Pretty-printed, redacted JSON; text that is not JSON comes back as it is.
    static func prettyJSON(_ text: String) -> String {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let pretty = try? JSONSerialization.data(withJSONObject: redact(object), options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: pretty, as: UTF8.self)
    }

    static func redact(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, inner) in object {
                result[key] = isSecretKey(key) ? placeholder : redact(inner)
            }
            return result
        case let array as [Any]:
            return array.map(redact)
        default:
            return value
        }
    }

    /// The parsed, redacted object, for JSON answers.
    static func redactedObject(_ text: String?) -> Any? {
        guard let text, let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return text }
        return redact(object)
    }
}
