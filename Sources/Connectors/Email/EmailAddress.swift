import Foundation

/// `addr@example.com` or `Display Name <addr@example.com>`, checked before anything is sent.
struct EmailAddress: Sendable, Equatable {
    var displayName: String?
    /// The addr-spec, for the SMTP envelope (`MAIL FROM:<…>`, `RCPT TO:<…>`).
    var address: String

    init(parsing raw: String) throws(EmailError) {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            displayName = name.isEmpty ? nil : name
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        } else {
            displayName = nil
            address = trimmed
        }
        guard Self.isValid(address), displayName.map({ !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }) ?? true else {
            throw .invalidAddress(raw)
        }
    }

    /// One `@`, a non-empty local part and a dotted domain, printable ASCII without spaces or
    /// the characters that would break a header or an SMTP command.
    static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254 else { return false }
        let forbidden: Set<Character> = ["<", ">", "(", ")", ",", ";", ":", "\\", "\"", "[", "]", " "]
        return address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F } && !address.contains(where: forbidden.contains)
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// The header form: the display name quoted or RFC 2047-encoded as needed.
    var headerValue: String {
        guard let displayName else { return address }
        return "\(MIMEEncoding.phrase(displayName)) <\(address)>"
    }

    var domain: String { String(address.split(separator: "@").last ?? "localhost") }
}
