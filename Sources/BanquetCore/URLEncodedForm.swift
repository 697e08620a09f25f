import Foundation

/// An `application/x-www-form-urlencoded` body (a plain HTML form's POST), read the one way every
/// form endpoint here reads it: `+` is a space (a literal plus arrives as `%2B`), percent-escapes are
/// decoded, a name without `=` is an empty value, and the first value of a repeated name wins.
public enum URLEncodedForm {
    public static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + body.replacingOccurrences(of: "+", with: "%20"))?.queryItems ?? [] where fields[item.name] == nil {
            fields[item.name] = item.value ?? ""
        }
        return fields
    }
}
