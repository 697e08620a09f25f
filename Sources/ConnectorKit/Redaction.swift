import Foundation
import NIOHTTP1

/// Keeps secrets out of logs and error messages.
///
/// Provider secrets travel in three places: URLs (`?access_token=…`, `user:pass@host`), headers,
/// and occasionally echoed back in response bodies. Every message a connector writes about a
/// request passes through one of these functions first, because an error message ends up in
/// `bridge.jobs.last_error`, which staff can read.
public enum Redaction {
    public static let placeholder = "***"

    /// Header names whose values are always secret, compared case-insensitively.
    static let secretHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    ]
    /// A header whose name contains one of these is treated as secret too
    /// (`X-Auth-Token`, `X-Webhook-Secret`, `Ocp-Apim-Subscription-Key`, `X-Amz-Security-Token`).
    static let secretNameFragments = ["token", "secret", "key"]

    /// Secrets shorter than this are not searched for: replacing every "a" or "12" in a message
    /// would destroy it, and a value that short is no secret worth hiding.
    public static let minimumSecretLength = 4

    /// `scheme://host[:port]/path`: no user info, query string or fragment, where tokens and
    /// signatures live (`?key=`, `?access_token=`, pre-signed `X-Amz-Signature=`).
    public static func url(_ url: URL) -> String {
        var result = "\(url.scheme ?? "http")://\(url.host ?? "")"
        if let port = url.port { result += ":\(port)" }
        let path = URLComponents(url: url, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? url.path
        return result + path
    }

    /// The same for text that may not parse as a URL: everything from `?` or `#` is dropped,
    /// and user info before `@` in the authority is replaced.
    public static func url(_ text: String) -> String {
        if let url = URL(string: text), url.host != nil { return Self.url(url) }
        var result = String(text.prefix { $0 != "?" && $0 != "#" })
        if let schemeEnd = result.range(of: "://") {
            let authorityEnd = result[schemeEnd.upperBound...].firstIndex(of: "/") ?? result.endIndex
            if let at = result[schemeEnd.upperBound..<authorityEnd].lastIndex(of: "@") {
                result.replaceSubrange(schemeEnd.upperBound...at, with: "\(placeholder)@")
            }
        }
        return result
    }

    public static func isSecretHeader(_ name: String) -> Bool {
        let lowercased = name.lowercased()
        return secretHeaderNames.contains(lowercased) || secretNameFragments.contains { lowercased.contains($0) }
    }

    /// The headers with every secret value replaced by `***`, ready to log.
    public static func headers(_ headers: HTTPHeaders) -> HTTPHeaders {
        HTTPHeaders(headers.map { ($0.name, isSecretHeader($0.name) ? placeholder : $0.value) })
    }

    /// `text` with every occurrence of each known secret (an API key, a password, a token that a
    /// provider may echo in an error body) replaced by `***`. Longer secrets are replaced first,
    /// so a secret that contains another is hidden whole.
    public static func secrets(_ secrets: some Sequence<String>, in text: String) -> String {
        secrets.filter { $0.count >= minimumSecretLength }
            .sorted { $0.count > $1.count }
            .reduce(text) { $0.replacingOccurrences(of: $1, with: placeholder) }
    }
}
