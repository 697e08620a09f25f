import Foundation

/// `application/x-www-form-urlencoded` with Stripe's bracketed keys
/// (`line_items[0][price_data][currency]=eur`), in the order given.
enum FormEncoding {
    /// RFC 3986 unreserved characters stay; everything else (brackets included) is percent-encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: unreserved) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)"
        }.joined(separator: "&")
    }
}
