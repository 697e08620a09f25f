/// One top-level statement of a SQL script, as the server will receive it.
public struct SQLStatement: Sendable, Equatable {
    /// The statement's text: from its first token to just before its terminating semicolon,
    /// comments inside it kept, surrounding whitespace and comments dropped.
    public var text: String
    /// 1-based line of the statement's first token in the script.
    public var line: Int
    /// The first words of the statement, lowercased (`["create", "index", "concurrently", …]`),
    /// comments skipped; enough to recognise statements that cannot run in a transaction.
    public var leadingWords: [String]

    public init(text: String, line: Int, leadingWords: [String]) {
        self.text = text
        self.line = line
        self.leadingWords = leadingWords
    }

    /// The script line of a server error `position` (1-based, in characters of `text`).
    public func line(atPosition position: Int) -> Int {
        guard position > 1 else { return line }
        let newlines = text.unicodeScalars.prefix(position - 1).filter { $0 == "\n" }.count
        return line + newlines
    }
}

/// A syntax problem the splitter can see without a server: an unterminated quote or comment.
public struct SQLScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Splits a SQL script into top-level statements the way psql does.
///
/// It understands single-quoted strings (`''` doubling, and backslash escapes in `E'…'`),
/// double-quoted identifiers, dollar quoting (`$$…$$`, `$tag$…$tag$`), `--` line comments,
/// nested `/* … */` comments, and SQL-standard function bodies (`BEGIN ATOMIC … END`), so a
/// semicolon inside any of them never ends a statement.
public enum SQLScript {
    public static func split(_ script: String) throws(SQLScriptError) -> [SQLStatement] {
        var lexer = Lexer(bytes: Array(script.utf8))
        return try lexer.statements()
    }
}

private struct Lexer {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    // The statement being collected.
    var statementStart: Int?
    var statementLine = 0
    var words: [String] = []
    /// Depth of `BEGIN ATOMIC … END` (and `CASE … END` inside it) in a function body.
    var atomicDepth = 0
    var previousWord: String?

    init(bytes: [UInt8]) { self.bytes = bytes }

    static let leadingWordLimit = 8

    mutating func statements() throws(SQLScriptError) -> [SQLStatement] {
        var result: [SQLStatement] = []
        var statementEnd = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
                index += 1
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                try skipBlockComment()
            case UInt8(ascii: ";") where atomicDepth == 0:
                if let start = statementStart {
                    result.append(makeStatement(from: start, to: statementEnd))
                }
                statementStart = nil
                words = []
                index += 1
            default:
                beginStatementIfNeeded()
                try consumeToken()
                statementEnd = index
            }
        }
        if let start = statementStart {
            result.append(makeStatement(from: start, to: statementEnd))
        }
        return result
    }

    func peek(_ offset: Int) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    mutating func beginStatementIfNeeded() {
        guard statementStart == nil else { return }
        statementStart = index
        statementLine = line
        atomicDepth = 0
        previousWord = nil
    }

    func makeStatement(from start: Int, to end: Int) -> SQLStatement {
        SQLStatement(text: String(decoding: bytes[start..<end], as: UTF8.self), line: statementLine, leadingWords: words)
    }

    /// Consumes one token that is not whitespace, a comment or a top-level semicolon.
    mutating func consumeToken() throws(SQLScriptError) {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "'"):
            try skipQuoted(closing: UInt8(ascii: "'"), backslashEscapes: false, what: "string literal")
        case UInt8(ascii: "\""):
            try skipQuoted(closing: UInt8(ascii: "\""), backslashEscapes: false, what: "quoted identifier")
        case UInt8(ascii: "$"):
            if let tag = dollarTag() {
                try skipDollarQuoted(tag: tag)
            } else {
                index += 1  // a positional parameter ($1) or a lone dollar sign
            }
        case _ where Self.isIdentifierStart(byte):
            let start = index
            while index < bytes.count, Self.isIdentifierPart(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
            // E'…' (escape string): the prefix is part of the literal.
            if word == "e", index < bytes.count, bytes[index] == UInt8(ascii: "'") {
                try skipQuoted(closing: UInt8(ascii: "'"), backslashEscapes: true, what: "string literal")
                return
            }
            noteWord(word)
        default:
            index += 1
        }
    }

    mutating func noteWord(_ word: String) {
        if words.count < Self.leadingWordLimit { words.append(word) }
        trackAtomicBody(word)
    }

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END`: semicolons inside the body
    /// belong to it. Inside the body, CASE … END nests.
    mutating func trackAtomicBody(_ word: String) {
        let isRoutine = words.first == "create" && (words.dropFirst().prefix(3).contains("function") || words.dropFirst().prefix(3).contains("procedure"))
        guard isRoutine else { return }
        switch word {
        case "atomic" where previousWord == "begin":
            atomicDepth += 1
        case "case" where atomicDepth > 0:
            atomicDepth += 1
        case "end" where atomicDepth > 0:
            atomicDepth -= 1
        default:
            break
        }
        previousWord = word
    }

    mutating func skipQuoted(closing: UInt8, backslashEscapes: Bool, what: String) throws(SQLScriptError) {
        let startLine = line
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            if backslashEscapes, byte == UInt8(ascii: "\\") {
                if peek(1) == UInt8(ascii: "\n") { line += 1 }
                index += 2
                continue
            }
            if byte == closing {
                if peek(1) == closing {  // doubled quote: an escaped quote character
                    index += 2
                    continue
                }
                index += 1
                return
            }
            index += 1
        }
        throw SQLScriptError(line: startLine, message: "unterminated \(what)")
    }

    /// The dollar-quote tag starting at `index` (`$$` → "", `$body$` → "body"), or nil when the
    /// dollar sign does not open a dollar quote.
    func dollarTag() -> String? {
        if index > 0, Self.isIdentifierPart(bytes[index - 1]) { return nil }  // e.g. foo$bar
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "$") {
            let byte = bytes[end]
            let valid = end == index + 1 ? Self.isIdentifierStart(byte) : Self.isIdentifierPart(byte)
            guard valid else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        return String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
    }

    mutating func skipDollarQuoted(tag: String) throws(SQLScriptError) {
        let startLine = line
        let delimiter = Array("$\(tag)$".utf8)
        index += delimiter.count
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), bytes[index...].starts(with: delimiter) {
                index += delimiter.count
                return
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        throw SQLScriptError(line: startLine, message: "unterminated dollar-quoted string \(String(decoding: delimiter, as: UTF8.self))")
    }

    mutating func skipBlockComment() throws(SQLScriptError) {
        let startLine = line
        var depth = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return }
            } else {
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                index += 1
            }
        }
        throw SQLScriptError(line: startLine, message: "unterminated /* comment")
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "$")
    }
}
