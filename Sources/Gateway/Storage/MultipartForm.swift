import Foundation

/// A `multipart/form-data` body (RFC 7578) split into its parts, as storage3 and supabase-js
/// upload a file: a `file` part carrying the bytes and their Content-Type, plus text fields
/// (`cacheControl`, `metadata`).
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var body: ArraySlice<UInt8>
    }

    var parts: [Part]

    func part(named name: String) -> Part? { parts.first { $0.name == name } }
    func text(named name: String) -> String? { part(named: name).map { String(decoding: $0.body, as: UTF8.self) } }

    /// The `boundary` parameter of a `multipart/form-data` Content-Type, or nil for any other type.
    static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    init(body: [UInt8], boundary: String) throws {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw StorageError.invalidRequest("malformed multipart body: no boundary") }
        var parts: [Part] = []
        while true {
            cursor += delimiter.count
            if body[cursor...].starts(with: [45, 45]) { break }  // "--": the closing delimiter
            guard body[cursor...].starts(with: crlf) else { throw StorageError.invalidRequest("malformed multipart body") }
            cursor += 2
            guard let headerEnd = Self.find(crlf + crlf, in: body, from: cursor),
                  let next = Self.find(crlf + delimiter, in: body, from: headerEnd + 4)
            else { throw StorageError.invalidRequest("malformed multipart body: unterminated part") }
            parts.append(try Self.part(headers: body[cursor..<headerEnd], body: body[(headerEnd + 4)..<next]))
            cursor = next + 2
        }
        self.parts = parts
    }

    private static func part(headers: ArraySlice<UInt8>, body: ArraySlice<UInt8>) throws -> Part {
        var part = Part(name: "", body: body)
        for line in String(decoding: headers, as: UTF8.self).components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition":
                part.name = parameter("name", in: value) ?? ""
                part.filename = parameter("filename", in: value)
            case "content-type":
                part.contentType = value
            default:
                continue
            }
        }
        return part
    }

    /// `name="file"` from `form-data; name="file"; filename="a.pdf"`.
    private static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.lowercased().hasPrefix(key + "=") {
            var value = String(piece.dropFirst(key.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// First index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            guard let candidate = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
