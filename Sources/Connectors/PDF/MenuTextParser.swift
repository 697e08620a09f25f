import Foundation

/// The offline menu extractor: reads `pdftotext -layout` output the way a person skims a menu.
///
/// - Prices: `£12.50`, `€ 9`, `$14`, `12,50 €`, `12.5`, `EUR 12`, `GBP 12.50`, `12.50 EUR`, at the
///   end of a line (dot leaders allowed); the first symbol or code seen is the menu's currency.
/// - Two columns: when many lines carry two prices, the text is cut at the second column's left
///   edge and each column is read top to bottom, left column first.
/// - Sections: a line without a price that is in capitals, or short and followed by priced lines.
///   A line without a price right under an item is that item's description.
/// - Dietary marks `(v)`, `(ve)`/`(vg)`, `(gf)` and trailing `V`, `VG`, `GF` become tags.
/// - Packages: lines in a section whose heading says "package", or priced "per person/guest",
///   with "min(imum) N" read as the minimum party.
public enum MenuTextParser {
    public static func parse(_ text: String) -> ExtractedMenu {
        let lines = text.replacingOccurrences(of: "\u{0C}", with: "\n").components(separatedBy: "\n")
        let columns = splitColumns(lines)
        var menu = ExtractedMenu(name: nil, currency: nil, sections: [], packages: [])
        for column in columns {
            read(column, into: &menu)
        }
        menu.sections.removeAll { $0.items.isEmpty }
        return menu
    }

    // MARK: Columns

    /// Lines with a price followed (after a gap) by more text that itself ends in a price mark a
    /// two-column page; the cut is the leftmost start of that second column.
    static func splitColumns(_ lines: [String]) -> [[String]] {
        var starts: [Int] = []
        for line in lines {
            let chars = Array(line)
            // First price's end, then a gap of 3+ spaces, then text: the second column starts there.
            guard let first = firstPriceEnd(chars) else { continue }
            var index = first
            var gap = 0
            while index < chars.count, chars[index] == " " { index += 1; gap += 1 }
            if gap >= 3, index < chars.count, price(in: String(chars[index...]).trimmingCharacters(in: .whitespaces)) != nil {
                starts.append(index)
            }
        }
        guard starts.count >= 2, let cut = starts.min(), cut >= 2 else { return [lines] }
        var left: [String] = []
        var right: [String] = []
        for line in lines {
            let chars = Array(line)
            // Only a line with a gap just before the column edge has two columns; a centred title
            // or a long package line runs across the edge and stays whole.
            if chars.count > cut, chars[cut - 1] == " ", chars[cut - 2] == " " {
                left.append(String(chars[..<cut]))
                right.append(String(chars[cut...]))
            } else {
                left.append(line)
            }
        }
        return [left, right]
    }

    static func firstPriceEnd(_ chars: [Character]) -> Int? {
        let line = String(chars)
        guard let match = line.firstMatch(of: pricePattern) else { return nil }
        let end = line.distance(from: line.startIndex, to: match.range.upperBound)
        // Only a price followed by a gap, not one in the middle of a phrase.
        return end < chars.count && chars[end] == " " ? end : nil
    }

    // MARK: Lines

    static func read(_ lines: [String], into menu: inout ExtractedMenu) {
        var pendingHeadings: [String] = []
        var lastWasItem = false
        var inPackages = false
        var sawItem = !menu.sections.isEmpty
        for raw in lines {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { lastWasItem = false; continue }
            if let (name, minor, currency) = priced(line) {
                if menu.currency == nil { menu.currency = currency }
                if !pendingHeadings.isEmpty {
                    if !sawItem && menu.name == nil && pendingHeadings.count >= 2 { menu.name = pendingHeadings.first }
                    let heading = pendingHeadings.last!
                    inPackages = heading.lowercased().contains("package")
                    menu.sections.append(.init(name: heading, items: []))
                    pendingHeadings = []
                } else if menu.sections.isEmpty {
                    menu.sections.append(.init(name: nil, items: []))
                }
                sawItem = true
                let (clean, dietary) = dietaryTags(name)
                let lower = line.lowercased()
                if inPackages || lower.contains("per person") || lower.contains("per guest") || lower.contains(" pp") {
                    menu.packages.append(.init(name: stripPackageTerms(clean), description: nil, pricePerGuestMinor: minor,
                                               minGuests: minimumGuests(line)))
                } else if !clean.isEmpty {
                    menu.sections[menu.sections.count - 1].items.append(.init(name: clean, description: nil, priceMinor: minor, dietary: dietary))
                }
                lastWasItem = true
                continue
            }
            if lastWasItem && !isHeading(line) {
                // Under an item: its description (or the package's).
                if inPackages, !menu.packages.isEmpty {
                    appendDescription(line, to: &menu.packages[menu.packages.count - 1].description)
                    if menu.packages[menu.packages.count - 1].minGuests == nil {
                        menu.packages[menu.packages.count - 1].minGuests = minimumGuests(line)
                    }
                } else if let s = menu.sections.indices.last, let i = menu.sections[s].items.indices.last {
                    appendDescription(line, to: &menu.sections[s].items[i].description)
                }
                continue
            }
            pendingHeadings.append(line)
            lastWasItem = false
        }
    }

    static func appendDescription(_ line: String, to description: inout String?) {
        description = description.map { "\($0) \(line)" } ?? line
    }

    /// A heading is in capitals (`STARTERS`), or short with no sentence punctuation.
    static func isHeading(_ line: String) -> Bool {
        let letters = line.filter(\.isLetter)
        if !letters.isEmpty, letters == letters.uppercased(), letters.count >= 3 { return true }
        return false
    }

    // MARK: Prices

    nonisolated(unsafe) static let pricePattern = #/(?:(?:£|€|\$|EUR|GBP|USD)\s?\d{1,5}(?:[.,]\d{1,2})?|\d{1,5}(?:[.,]\d{1,2})?\s?(?:€|£|EUR|GBP|USD)|\d{1,5}[.,]\d{1,2})/#

    /// The name before the line's final price, the price in minor units, and its currency.
    static func priced(_ line: String) -> (String, Int64, String?)? {
        guard let (range, minor, currency) = price(trailingIn: line) else { return nil }
        var name = String(line[..<range.lowerBound])
        // Dot leaders and dashes between name and price.
        while let last = name.last, last == "." || last == " " || last == "·" || last == "-" || last == "…" || last == "–" {
            name.removeLast()
        }
        name = name.trimmingCharacters(in: .whitespaces)
        guard name.contains(where: \.isLetter) else { return nil }
        return (name, minor, currency)
    }

    static func price(in text: String) -> Int64? { price(trailingIn: text)?.1 }

    /// The price that ends the line (after it only a unit such as "pp", "per person", a
    /// minimum-guests note or nothing).
    static func price(trailingIn line: String) -> (Range<String.Index>, Int64, String?)? {
        let patterns: [Regex<(Substring, Substring?, Substring, Substring?)>] = [
            #/(£|€|\$|EUR |GBP |USD |EUR|GBP|USD)?\s?(\d{1,5}(?:[.,]\d{1,2})?)(\s?€|\s?£|\s(?:EUR|GBP|USD))?/#,
        ]
        var best: (Range<String.Index>, Int64, String?)?
        for pattern in patterns {
            for match in line.matches(of: pattern) {
                let after = line[match.range.upperBound...].trimmingCharacters(in: .whitespaces).lowercased()
                guard after.isEmpty || after.hasPrefix("pp") || after.hasPrefix("per ") || after.hasPrefix("(min")
                        || after.hasPrefix("min") || after.hasPrefix("/ person") || after.hasPrefix("/person") else { continue }
                let prefix = match.output.1.map { String($0).trimmingCharacters(in: .whitespaces) }
                let suffix = match.output.3.map { String($0).trimmingCharacters(in: .whitespaces) }
                let number = String(match.output.2)
                // A bare integer is a price only at the very end ("Soup 6") or before a per-person
                // unit ("45 pp"); "(min 10 guests)" is not.
                if prefix == nil && suffix == nil && !number.contains(where: { $0 == "." || $0 == "," })
                    && !(after.isEmpty || after.hasPrefix("pp") || after.hasPrefix("per ")) { continue }
                // The character before the price must not be a letter or digit ("V2", "x12").
                var start = match.range.lowerBound
                while start < match.range.upperBound, line[start] == " " { start = line.index(after: start) }
                if start > line.startIndex {
                    let before = line[line.index(before: start)]
                    if before.isLetter || before.isNumber { continue }
                }
                guard let minor = minorUnits(number) else { continue }
                best = (match.range, minor, currencyCode(prefix ?? suffix))
            }
        }
        return best
    }

    /// `12.50` / `12,50` / `12.5` / `12` → 1250 / 1250 / 1250 / 1200.
    static func minorUnits(_ number: String) -> Int64? {
        let parts = number.split(whereSeparator: { $0 == "." || $0 == "," }).map(String.init)
        guard let whole = Int64(parts[0]) else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1].count == 1 ? parts[1] + "0" : parts[1]
        guard let cents = Int64(fraction) else { return nil }
        return whole * 100 + cents
    }

    static func currencyCode(_ mark: String?) -> String? {
        switch mark {
        case "£", "GBP": "GBP"
        case "€", "EUR": "EUR"
        case "$", "USD": "USD"
        default: nil
        }
    }

    // MARK: Names

    static let dietaryMarks: [(String, String)] = [("(ve)", "vegan"), ("(vg)", "vegan"), ("(v)", "vegetarian"), ("(gf)", "gluten_free"), ("(df)", "dairy_free")]
    static let trailingMarks: [(String, String)] = [("VG", "vegan"), ("VE", "vegan"), ("V", "vegetarian"), ("GF", "gluten_free"), ("DF", "dairy_free")]

    static func dietaryTags(_ name: String) -> (String, [String]) {
        var text = name
        var tags: [String] = []
        for (mark, tag) in dietaryMarks {
            while let range = text.range(of: mark, options: .caseInsensitive) {
                text.removeSubrange(range)
                if !tags.contains(tag) { tags.append(tag) }
            }
        }
        var words = text.split(separator: " ").map(String.init)
        while let last = words.last, let tag = trailingMarks.first(where: { $0.0 == last.trimmingCharacters(in: CharacterSet(charactersIn: ",")) })?.1, words.count > 1 {
            words.removeLast()
            if !tags.contains(tag) { tags.append(tag) }
        }
        text = words.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: " ,-–·"))
        return (text, tags)
    }

    static func stripPackageTerms(_ name: String) -> String {
        var text = name
        for term in ["per person", "per guest", "(min", "min."] {
            if let range = text.range(of: term, options: .caseInsensitive) { text = String(text[..<range.lowerBound]) }
        }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: " ,-–·.("))
    }

    static func minimumGuests(_ line: String) -> Int? {
        guard let match = line.lowercased().firstMatch(of: #/min(?:imum)?\.?\s*(?:of\s*)?(\d{1,4})/#) else { return nil }
        return Int(match.output.1)
    }
}
