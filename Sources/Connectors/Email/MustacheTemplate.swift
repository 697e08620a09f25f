import BanquetCore

/// The subset of Mustache (mustache.github.io/mustache.5.html) the email templates use, over
/// JSON data: `{{name}}` and `{{a.b}}` (escaped by the caller's escaper), `{{{name}}}` and
/// `{{& name}}` (verbatim), sections `{{#name}}…{{/name}}` (once for a truthy value, once per
/// element of a non-empty array, with an object or element pushed as the context; `{{.}}` is the
/// element), inverted sections `{{^name}}…{{/name}}`, comments `{{! … }}`. A section, inverted or
/// closing tag or comment alone on its line takes the line with it, as the spec says, so plain-text
/// templates need no blank-line tricks. No partials, lambdas or delimiter changes.
///
/// A missing name renders as nothing, as in Mustache; the unit tests render every template with
/// the data its producer sends, so a misspelt name is caught there.
public struct MustacheTemplate: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable([String], escaped: Bool)
        case section([String], inverted: Bool, [Node])
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    let nodes: [Node]

    public init(_ source: String, name: String = "template") throws(ParseError) {
        var parser = Parser(source: Array(source.unicodeScalars), name: name)
        nodes = try parser.parse()
    }

    /// Renders with `data` as the root context; `escape` is applied to `{{name}}` values.
    public func render(_ data: JSONValue, escape: (String) -> String) -> String {
        var output = ""
        Self.render(nodes, stack: [data], escape: escape, into: &output)
        return output
    }

    private static func render(_ nodes: [Node], stack: [JSONValue], escape: (String) -> String, into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let path, let escaped):
                let text = Self.text(of: lookup(path, in: stack))
                output += escaped ? escape(text) : text
            case .section(let path, let inverted, let children):
                let value = lookup(path, in: stack)
                if inverted {
                    if !isTruthy(value) { render(children, stack: stack, escape: escape, into: &output) }
                    continue
                }
                switch value {
                case .array(let elements):
                    for element in elements { render(children, stack: stack + [element], escape: escape, into: &output) }
                case let value where isTruthy(value):
                    render(children, stack: stack + [value], escape: escape, into: &output)
                default:
                    break
                }
            }
        }
    }

    static func lookup(_ path: [String], in stack: [JSONValue]) -> JSONValue {
        if path == ["."] { return stack.last ?? .null }
        guard let first = path.first else { return .null }
        for context in stack.reversed() {
            guard case .object(let object) = context, var value = object[first] else { continue }
            for key in path.dropFirst() {
                guard case .object(let inner) = value, let next = inner[key] else { return .null }
                value = next
            }
            return value
        }
        return .null
    }

    static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): false
        case .string(let text): !text.isEmpty
        case .array(let elements): !elements.isEmpty
        default: true
        }
    }

    static func text(of value: JSONValue) -> String {
        switch value {
        case .null, .array, .object: ""
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): text
        case .number(let number):
            number.rounded() == number && abs(number) < 9.007_199_254_740_992e15 ? String(Int64(number)) : String(number)
        }
    }

    // MARK: Parsing

    private struct Parser {
        let source: [Unicode.Scalar]
        let name: String
        var position = 0

        init(source: [Unicode.Scalar], name: String) {
            self.source = source
            self.name = name
        }

        mutating func parse() throws(ParseError) -> [Node] {
            let (nodes, closing) = try parseNodes()
            if let closing { throw ParseError(description: "\(name): {{/\(closing)}} closes no open section") }
            return nodes
        }

        /// Nodes up to the end or a closing tag (whose name is returned).
        mutating func parseNodes() throws(ParseError) -> ([Node], String?) {
            var nodes: [Node] = []
            var text = String.UnicodeScalarView()
            while position < source.count {
                guard starts(with: "{{", at: position) else {
                    text.append(source[position])
                    position += 1
                    continue
                }
                let tagStart = position
                let triple = starts(with: "{{{", at: position)
                let open = triple ? 3 : 2
                let close = triple ? "}}}" : "}}"
                guard let end = find(close, from: position + open) else {
                    throw ParseError(description: "\(name): unclosed tag at offset \(position)")
                }
                let content = String(String.UnicodeScalarView(source[(position + open)..<end])).trimmingSpaces()
                position = end + close.unicodeScalars.count
                let sigil = triple ? "{" : content.first.map(String.init) ?? ""
                let body = triple ? content : (["#", "^", "/", "!", "&"].contains(sigil) ? String(content.dropFirst()).trimmingSpaces() : content)
                let standalone = ["#", "^", "/", "!"].contains(sigil)
                if standalone { trimStandaloneLine(text: &text, tagStart: tagStart) }
                if !text.isEmpty { nodes.append(.text(String(text))); text = String.UnicodeScalarView() }
                guard !body.isEmpty || sigil == "!" else { throw ParseError(description: "\(name): empty tag at offset \(tagStart)") }
                switch sigil {
                case "!":
                    continue
                case "#", "^":
                    let (children, closing) = try parseNodes()
                    guard closing == body else {
                        throw ParseError(description: "\(name): section {{\(sigil)\(body)}} is closed by \(closing.map { "{{/\($0)}}" } ?? "the end of the template")")
                    }
                    nodes.append(.section(Self.path(body), inverted: sigil == "^", children))
                case "/":
                    return (nodes, body)
                case "{", "&":
                    nodes.append(.variable(Self.path(body), escaped: false))
                default:
                    nodes.append(.variable(Self.path(body), escaped: true))
                }
            }
            if !text.isEmpty { nodes.append(.text(String(text))) }
            return (nodes, nil)
        }

        /// A tag alone on its line (only blanks before it on the line, a line break or the end
        /// after it) removes those blanks and that line break.
        mutating func trimStandaloneLine(text: inout String.UnicodeScalarView, tagStart: Int) {
            var lineStart = tagStart
            while lineStart > 0, source[lineStart - 1] == " " || source[lineStart - 1] == "\t" { lineStart -= 1 }
            guard lineStart == 0 || source[lineStart - 1] == "\n" else { return }
            var after = position
            while after < source.count, source[after] == " " || source[after] == "\t" { after += 1 }
            if after < source.count, source[after] == "\r" { after += 1 }
            guard after == source.count || source[after] == "\n" else { return }
            position = min(after + 1, source.count)
            let blanks = tagStart - lineStart
            if blanks > 0 { text.removeLast(min(blanks, text.count)) }
        }

        func starts(with prefix: String, at index: Int) -> Bool {
            var i = index
            for scalar in prefix.unicodeScalars {
                guard i < source.count, source[i] == scalar else { return false }
                i += 1
            }
            return true
        }

        func find(_ needle: String, from index: Int) -> Int? {
            var i = index
            while i < source.count {
                if starts(with: needle, at: i) { return i }
                i += 1
            }
            return nil
        }

        static func path(_ name: String) -> [String] {
            name == "." ? ["."] : name.split(separator: ".").map(String.init)
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
