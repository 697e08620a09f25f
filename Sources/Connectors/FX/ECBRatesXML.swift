import ConnectorKit
import Foundation

/// Reads the ECB's `gesmes:Envelope` files (eurofxref-daily.xml, eurofxref-hist-90d.xml):
/// `<Cube time='2026-11-27'>` holds `<Cube currency='USD' rate='1.0550'/>` elements.
///
/// The format is fixed and flat, so a scanner over `<Cube …>` tags is enough and avoids a
/// dependency on an XML library; anything that does not look like it is refused, not guessed.
public enum ECBRatesXML {
    public static func parse(_ text: String) throws -> [FXDay] {
        var days: [FXDay] = []
        var current: FXDay?
        var rest = Substring(text)
        while let open = rest.range(of: "<Cube") {
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let attributes = attributesIn(rest[open.upperBound..<close])
            rest = rest[rest.index(after: close)...]
            if let time = attributes["time"] {
                if let day = current { days.append(day) }
                guard isDate(time) else { throw ConnectorError.permanent("ECB rates: '\(time)' is not a date") }
                current = FXDay(date: time, rates: [:])
            } else if let currency = attributes["currency"], let raw = attributes["rate"] {
                guard current != nil else { throw ConnectorError.permanent("ECB rates: a rate outside a dated Cube") }
                guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }), let rate = Double(raw), rate > 0 else {
                    throw ConnectorError.permanent("ECB rates: bad rate \(currency)=\(raw)")
                }
                current?.rates[currency] = rate
            }
        }
        if let day = current { days.append(day) }
        guard !days.isEmpty, days.allSatisfy({ !$0.rates.isEmpty }) else {
            throw ConnectorError.permanent("ECB rates: the document holds no dated rates (not an eurofxref file?)")
        }
        return days.sorted { $0.date > $1.date }
    }

    /// `name='value'` or `name="value"` pairs.
    static func attributesIn(_ tag: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = tag
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
            let afterEquals = rest[rest.index(after: equals)...].drop(while: { $0 == " " })
            guard let quote = afterEquals.first, quote == "'" || quote == "\"" else { break }
            let valueStart = afterEquals.index(after: afterEquals.startIndex)
            guard let valueEnd = afterEquals[valueStart...].firstIndex(of: quote) else { break }
            result[name] = String(afterEquals[valueStart..<valueEnd])
            rest = afterEquals[afterEquals.index(after: valueEnd)...]
        }
        return result
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }
}
