import Foundation

/// An RFC 5322 message as the console shows it: decoded headers, the plain-text part and the
/// HTML part. Enough MIME for what our renderer and ordinary mail clients write — header
/// folding, RFC 2047 encoded words, nested multiparts, quoted-printable and base64 — and
/// lenient: a part it cannot decode is shown as it is, never an error.
struct MailMessage: Sendable {
    var headers: [(name: String, value: String)]
    var text: String?
    var html: String?

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    init(parsing raw: String) {
        let entity = MIMEEntity(raw)
        headers = entity.headers
        var text: String?
        var html: String?
        entity.collectBodies(text: &text, html: &html)
        self.text = text
        self.html = html
    }

    /// Only the header block, for listings: the body is not read.
    init(headersOf raw: String) {
        headers = MIMEEntity.parseHeaders(MIMEEntity.split(raw).headerBlock)
    }
}

/// One MIME entity: headers and a body, which may hold further entities.
private struct MIMEEntity {
    var headers: [(name: String, value: String)]
    var body: String

    init(_ raw: String) {
        let (headerBlock, body) = Self.split(raw)
        headers = Self.parseHeaders(headerBlock)
        self.body = body
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The first text/plain and text/html leaves, depth first.
    func collectBodies(text: inout String?, html: inout String?) {
        let contentType = header("Content-Type") ?? "text/plain"
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "text/plain"
        if mediaType.hasPrefix("multipart/"), let boundary = Self.parameter("boundary", in: contentType) {
            for part in Self.parts(of: body, boundary: boundary) {
                MIMEEntity(part).collectBodies(text: &text, html: &html)
            }
            return
        }
        let decoded = Self.decodeBody(body, transferEncoding: header("Content-Transfer-Encoding"))
        if mediaType == "text/html", html == nil { html = decoded }
        if mediaType == "text/plain", text == nil { text = decoded }
    }

    /// Header block and body, split at the first empty line; line ends normalized to `\n`.
    static func split(_ raw: String) -> (headerBlock: String, body: String) {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let range = normalized.range(of: "\n\n") else { return (normalized, "") }
        return (String(normalized[..<range.lowerBound]), String(normalized[range.upperBound...]))
    }

    static func parseHeaders(_ block: String) -> [(name: String, value: String)] {
        var unfolded: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !line.isEmpty {
                unfolded.append(String(line))
            }
        }
        return unfolded.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return (name, decodeEncodedWords(value))
        }
    }

    static func parameter(_ name: String, in headerValue: String) -> String? {
        for piece in headerValue.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    static func parts(of body: String, boundary: String) -> [String] {
        var parts: [String] = []
        var current: [Substring]?
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "--\(boundary)--" {
                if let current { parts.append(current.joined(separator: "\n")) }
                return parts
            }
            if trimmed == "--\(boundary)" {
                if let current { parts.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current?.append(line)
            }
        }
        if let current { parts.append(current.joined(separator: "\n")) }
        return parts
    }

    static func decodeBody(_ body: String, transferEncoding: String?) -> String {
        switch transferEncoding?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "quoted-printable":
            return String(decoding: quotedPrintableBytes(body), as: UTF8.self)
        case "base64":
            let compact = body.filter { !$0.isWhitespace }
            return Data(base64Encoded: compact).map { String(decoding: $0, as: UTF8.self) } ?? body
        default:
            return body
        }
    }

    static func quotedPrintableBytes(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
            var softBreak = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "=") {
                    if index == bytes.count - 1 {
                        softBreak = true
                        index += 1
                        continue
                    }
                    if index + 2 < bytes.count, let value = hexValue(bytes[index + 1], bytes[index + 2]) {
                        output.append(value)
                        index += 3
                        continue
                    }
                }
                output.append(byte)
                index += 1
            }
            if !softBreak && number < lines.count - 1 { output.append(UInt8(ascii: "\n")) }
        }
        return output
    }

    static func hexValue(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        guard let high = nibble(high), let low = nibble(low) else { return nil }
        return high << 4 | low
    }

    /// RFC 2047: `=?utf-8?B?…?=` and `=?utf-8?Q?…?=` words decoded; whitespace between two
    /// adjacent encoded words dropped, as the RFC requires.
    static func decodeEncodedWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let pattern = #/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/#
        var result = ""
        var rest = Substring(value)
        var previousWasEncoded = false
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[..<match.range.lowerBound]
            if !(previousWasEncoded && between.allSatisfy(\.isWhitespace)) { result += between }
            let payload = String(match.output.3)
            let bytes: [UInt8]
            if match.output.2.lowercased() == "b" {
                bytes = Data(base64Encoded: payload).map(Array.init) ?? Array(payload.utf8)
            } else {
                bytes = quotedPrintableBytes(payload.replacingOccurrences(of: "_", with: " "))
            }
            result += String(decoding: bytes, as: UTF8.self)
            previousWasEncoded = true
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }
}
