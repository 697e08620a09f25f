import Foundation

/// `application/x-www-form-urlencoded` pairs, as Go's `url.Values.Encode` writes them for
/// GoTrue's links and redirect fragments: everything but RFC 3986's unreserved characters is
/// percent-encoded, so a `redirect_to` holding `&` or `#` cannot break out of its parameter.
enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
