import Foundation

/// A fragment of HTML whose interpolations are escaped unless they are HTML themselves.
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

    /// Escaped for element content and for quoted attribute values alike.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// A path segment for a link (`/console/mailbox/<name>`): everything outside RFC 3986's
    /// unreserved characters is percent-encoded.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")) ?? ""
    }
}

/// Display formats the console pages share.
enum ConsoleFormat {
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeSeparator: .colon)
            .year().month().day().time(includingFractionalSeconds: false)) + "Z"
    }

    /// `45s`, `3m 12s`, `2h 5m`, `3d 4h`.
    static func age(_ duration: Duration?) -> String {
        guard let duration else { return "" }
        let seconds = Int(duration.components.seconds)
        switch seconds {
        case ..<60: return "\(max(seconds, 0))s"
        case ..<3600: return "\(seconds / 60)m \(seconds % 60)s"
        case ..<86_400: return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
        default: return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
        }
    }

    static func perMinute(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// Micro-dollars as `$1.234567`.
    static func usd(micros: Int64) -> String {
        String(format: "$%.6f", Double(micros) / 1_000_000)
    }

    /// The first `limit` characters, with an ellipsis when there was more.
    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
