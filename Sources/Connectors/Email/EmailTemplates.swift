import BanquetCore
import Foundation

/// The versioned email templates: `<directory>/<name>/v<N>.subject`, `v<N>.txt` and `v<N>.html`,
/// wrapped in the shared layout `<directory>/_layout/v1.txt` and `v1.html` (venue name and logo,
/// footer). A job names its template and version, so an email enqueued before a `v2` existed
/// still renders as `v1`: a new wording is a new file, never an edit of a released one.
///
/// The data comes from SQL (`email.send` payload `data`). Before rendering, every object holding
/// a `currency` gets, for each `<name>_minor` amount in it (or in the arrays beneath it), a
/// formatted `<name>` (`EUR 1,234.50`, `Money`), so templates never do arithmetic. HTML templates
/// escape every `{{value}}`; subjects and plain text are not HTML, and a rendered subject has its
/// line breaks folded to spaces (a header cannot carry one).
public struct EmailTemplates: Sendable {
    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var text: String
        public var html: String
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unknown(name: String, version: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .unknown(let name, let version): "no email template '\(name)' version \(version)"
            case .unreadable(let reason): reason
            }
        }
    }

    struct Template: Sendable {
        var subject: MustacheTemplate
        var text: MustacheTemplate
        var html: MustacheTemplate
    }

    struct Key: Hashable, Sendable {
        var name: String
        var version: Int
    }

    let templates: [Key: Template]
    let textLayout: MustacheTemplate
    let htmlLayout: MustacheTemplate

    /// The templates shipped in the binary's resource bundle (`banquet_Connectors.resources`).
    public static func bundled() throws -> EmailTemplates {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw Failure.unreadable("the email templates are missing from the resource bundle")
        }
        return try EmailTemplates(directory: directory)
    }

    /// Reads and parses every template under `directory` once; a broken template fails here, at start.
    public init(directory: URL) throws {
        let files = FileManager.default
        func read(_ url: URL) throws -> String {
            do { return try String(contentsOf: url, encoding: .utf8) } catch {
                throw Failure.unreadable("cannot read email template \(url.path): \(error.localizedDescription)")
            }
        }
        let layout = directory.appendingPathComponent("_layout")
        textLayout = try MustacheTemplate(read(layout.appendingPathComponent("v1.txt")), name: "_layout/v1.txt")
        htmlLayout = try MustacheTemplate(read(layout.appendingPathComponent("v1.html")), name: "_layout/v1.html")
        var templates: [Key: Template] = [:]
        let names = try files.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }
        for name in names {
            let folder = directory.appendingPathComponent(name)
            for file in try files.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".subject") {
                guard file.hasPrefix("v"), let version = Int(file.dropFirst().dropLast(".subject".count)) else { continue }
                let base = folder.appendingPathComponent("v\(version)")
                templates[Key(name: name, version: version)] = Template(
                    subject: try MustacheTemplate(read(base.appendingPathExtension("subject")), name: "\(name)/v\(version).subject"),
                    text: try MustacheTemplate(read(base.appendingPathExtension("txt")), name: "\(name)/v\(version).txt"),
                    html: try MustacheTemplate(read(base.appendingPathExtension("html")), name: "\(name)/v\(version).html"))
            }
        }
        self.templates = templates
    }

    /// Every name and version available, for `doctor`-style listings and the tests.
    public var catalog: [(name: String, version: Int)] {
        templates.keys.map { ($0.name, $0.version) }.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    public func render(_ name: String, version: Int, data: JSONValue) throws(Failure) -> Rendered {
        guard let template = templates[Key(name: name, version: version)] else { throw .unknown(name: name, version: version) }
        let data = Self.withFormattedMoney(data)
        let subject = template.subject.render(data, escape: { $0 })
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        var layoutData: [String: JSONValue] = if case .object(let object) = data { object } else { [:] }
        layoutData["subject"] = .string(subject)
        layoutData["body"] = .string(template.text.render(data, escape: { $0 }).trimmingCharacters(in: .newlines))
        let text = textLayout.render(.object(layoutData), escape: { $0 })
        layoutData["body"] = .string(template.html.render(data, escape: HTMLEscaping.escape))
        let html = htmlLayout.render(.object(layoutData), escape: HTMLEscaping.escape)
        return Rendered(subject: subject, text: text, html: html)
    }

    /// Adds `<name>` = `Money(<name>_minor, currency)` beside every amount that has a currency in
    /// its object or an enclosing one.
    static func withFormattedMoney(_ value: JSONValue, currency inherited: String? = nil) -> JSONValue {
        switch value {
        case .object(var object):
            var currency = inherited
            if case .string(let own) = object["currency"] { currency = own }
            for (key, inner) in object {
                object[key] = withFormattedMoney(inner, currency: currency)
            }
            if let currency {
                for (key, inner) in object where key.hasSuffix("_minor") {
                    let name = String(key.dropLast("_minor".count))
                    guard object[name] == nil, case .number(let minor) = inner, minor.rounded() == minor else { continue }
                    object[name] = .string(Money(minor: Int64(minor), currency: currency).description)
                }
            }
            return .object(object)
        case .array(let elements):
            return .array(elements.map { withFormattedMoney($0, currency: inherited) })
        default:
            return value
        }
    }
}
