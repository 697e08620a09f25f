import BanquetCore
import Foundation

/// A fragment of HTML whose interpolations are escaped unless they are HTML themselves — the one
/// escaping kit of the server-rendered pages (the guest's proposal page and the operator console).
///
/// Everything the console shows comes from somewhere untrusted — a job's payload and error, an
/// email's subject, an outbox file — so escaping is the default and cannot be forgotten:
/// `"<td>\(subject)</td>" as HTML` escapes `subject`; only another `HTML` value is inserted as is.
struct HTML: ExpressibleByStringInterpolation, Sendable {
    var rendered: String

    init(stringLiteral value: String) {
        rendered = value
    }

    init(stringInterpolation: StringInterpolation) {
        rendered = stringInterpolation.output
    }

    /// `HTML("<b>\(name)</b>")`: a literal whose interpolations are escaped.
    init(_ html: HTML) {
        self = html
    }

    /// Markup built elsewhere from escaped parts (joining rows, an SVG).
    init(trusted: String) {
        rendered = trusted
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity * 2)
        }

        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        mutating func appendInterpolation(_ text: String?) { output += HTML.escape(text ?? "") }
        mutating func appendInterpolation(_ number: some BinaryInteger) { output += String(number) }
        mutating func appendInterpolation(_ fragment: HTML) { output += fragment.rendered }
        mutating func appendInterpolation(_ fragments: [HTML]) { output += fragments.map(\.rendered).joined() }
    }

    /// Escaped for element content and for quoted attribute values alike (BanquetCore's one escaper,
    /// which the email templates use too).
    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }

    /// `escape` under the name the guest's page reads best with: `HTML.text(guestName)`.
    static func text(_ value: String) -> String { HTMLEscaping.escape(value) }

    /// A URL for an `href` that came from data: only http(s) (never `javascript:`), escaped.
    static func url(_ value: String) -> String? {
        guard let scheme = URLComponents(string: value)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return nil }
        return escape(value)
    }

    /// One path segment for a link (`/console/mailbox/<name>`, `/p/<token>`): everything outside RFC 3986's
    /// unreserved characters is percent-encoded.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")) ?? ""
    }
}

