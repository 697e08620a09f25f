import Foundation

/// The one place that writes and reads HTTP dates (RFC 9110 §5.6.7) and RFC 5322 message dates.
///
/// `Retry-After`, `Date` and `Last-Modified` headers and e-mail `Date:` headers all use the same
/// grammar, so they share this parser rather than each carrying a `DateFormatter` setup that can
/// drift (a missing `en_US_POSIX` locale is the classic bug). The formats are fixed English text,
/// so they are written and read with plain arithmetic (see `UTCDateTime`): nothing to cache, no
/// shared mutable formatter, no dependence on the process locale.
public enum HTTPDate {
    static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let fullWeekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate, the only form a sender may generate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ date: Date) -> String {
        let t = UTCDateTime(date)
        let time = [t.hour, t.minute, t.second].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        return "\(weekdayNames[t.weekday]), \(String(t.day).leftPadded(to: 2)) \(monthNames[t.month - 1]) "
            + "\(String(t.year).leftPadded(to: 4)) \(time) GMT"
    }

    /// RFC 5322 §3.3 date-time for e-mail `Date:` headers: `Sun, 06 Nov 1994 08:49:37 +0000`.
    /// Always written in UTC: the zone is informational and UTC never needs a DST rule.
    public static func formatRFC5322(_ date: Date) -> String {
        String(format(date).dropLast(3)) + "+0000"
    }

    /// Reads any date a recipient must accept: IMF-fixdate, the obsolete RFC 850 form
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and ANSI C `asctime()` (`Sun Nov  6 08:49:37 1994`),
    /// plus RFC 5322 dates (optional weekday and seconds, numeric zone such as `-0500`).
    ///
    /// `now` resolves RFC 850's two-digit year: RFC 9110 reads a year more than 50 years in the
    /// future as the most recent past year with the same last two digits.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else { return nil }
        // A leading weekday is "Sun," / "Sunday," or asctime's bare "Sun"; it carries no information.
        let first = tokens[0].hasSuffix(",") ? String(tokens[0].dropLast()) : tokens[0]
        if weekdayNames.contains(first) || fullWeekdayNames.contains(first) {
            tokens.removeFirst()
        }
        guard !tokens.isEmpty else { return nil }

        let dateTime: UTCDateTime?
        var offsetSeconds = 0
        if month(tokens[0]) != nil {
            // asctime: Nov  6 08:49:37 1994
            guard tokens.count == 4, let m = month(tokens[0]), let d = Int(tokens[1]),
                  let y = year4(tokens[3]), let time = time(tokens[2])
            else { return nil }
            dateTime = UTCDateTime(year: y, month: m, day: d, hour: time.0, minute: time.1, second: time.2)
        } else if tokens[0].contains("-") {
            // RFC 850: 06-Nov-94 08:49:37 GMT
            let parts = tokens[0].split(separator: "-").map(String.init)
            guard tokens.count == 3, parts.count == 3, let d = Int(parts[0]), let m = month(parts[1]),
                  parts[2].count == 2, let yy = Int(parts[2]), let time = time(tokens[1]),
                  zoneOffset(tokens[2]) == 0
            else { return nil }
            let currentYear = UTCDateTime(now).year
            var y = currentYear - currentYear % 100 + yy
            if y > currentYear + 50 { y -= 100 }
            dateTime = UTCDateTime(year: y, month: m, day: d, hour: time.0, minute: time.1, second: time.2)
        } else {
            // IMF-fixdate / RFC 5322: 06 Nov 1994 08:49:37 GMT | 6 Nov 1994 08:49 -0500
            guard tokens.count == 5, let d = Int(tokens[0]), tokens[0].count <= 2, let m = month(tokens[1]),
                  let y = year4(tokens[2]), let time = time(tokens[3]), let zone = zoneOffset(tokens[4])
            else { return nil }
            offsetSeconds = zone
            dateTime = UTCDateTime(year: y, month: m, day: d, hour: time.0, minute: time.1, second: time.2)
        }
        guard let local = dateTime?.date else { return nil }
        return local.addingTimeInterval(TimeInterval(-offsetSeconds))
    }

    private static func month(_ name: String) -> Int? {
        monthNames.firstIndex(of: name).map { $0 + 1 }
    }

    private static func year4(_ text: String) -> Int? {
        guard text.count == 4, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    /// `HH:MM:SS`, or `HH:MM` (RFC 5322 makes seconds optional).
    private static func time(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
              let h = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        return (h, m, parts.count == 3 ? Int(parts[2])! : 0)
    }

    /// Seconds east of UTC. `GMT`/`UT`/`UTC`/`Z` or `±hhmm`; other obsolete zone names are refused.
    private static func zoneOffset(_ text: String) -> Int? {
        if ["GMT", "UT", "UTC", "Z"].contains(text) { return 0 }
        guard text.count == 5, let sign = text.first, sign == "+" || sign == "-",
              text.dropFirst().allSatisfy(\.isASCIIDigit), let digits = Int(text.dropFirst())
        else { return nil }
        let seconds = (digits / 100) * 3600 + (digits % 100) * 60
        return sign == "-" ? -seconds : seconds
    }
}
