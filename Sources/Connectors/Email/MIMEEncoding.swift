import Foundation

/// The encodings an RFC 5322 message needs: RFC 2047 encoded words for non-ASCII header text,
/// quoted-printable (RFC 2045) for bodies.
enum MIMEEncoding {
    /// `text` as-is when it is printable ASCII, otherwise as `=?utf-8?B?…?=` words of at most 75
    /// characters each, folded onto continuation lines.
    static func headerText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) else { return text }
        return encodedWords(text).joined(separator: "\r\n ")
    }

    /// A display name: plain, quoted when it has specials, or encoded when it is not ASCII.
    static func phrase(_ text: String) -> String {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            return encodedWords(text).joined(separator: " ")
        }
        let specials = CharacterSet(charactersIn: "()<>[]:;@\\,.\"")
        if text.unicodeScalars.contains(where: specials.contains) {
            return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return text
    }

    /// Base64 encoded words; a character's UTF-8 bytes are never split across two words.
    static func encodedWords(_ text: String) -> [String] {
        // 39 bytes → 52 base64 characters + "=?utf-8?B?" + "?=" = 64, so "Subject: " plus the
        // first word still fits the 78-character line RFC 5322 recommends.
        let maxBytesPerWord = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maxBytesPerWord, !chunk.isEmpty {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// Quoted-printable with CRLF line ends and soft breaks keeping lines within 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var output: [String] = []
        for line in lines {
            let bytes = Array(line.utf8)
            var current: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast)
                let token = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                // Leave room for the soft break "=" unless this token ends the line.
                if current.count + token.count > (isLast ? 76 : 75) {
                    output.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                    current = []
                }
                current += token
            }
            output.append(String(decoding: current, as: UTF8.self))
        }
        return output.joined(separator: "\r\n")
    }
}
