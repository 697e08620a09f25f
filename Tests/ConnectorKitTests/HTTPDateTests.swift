import ConnectorKit
import Foundation
import Testing

@Suite struct HTTPDateTests {
    /// RFC 9110 §5.6.7's example moment, Sun, 06 Nov 1994 08:49:37 GMT.
    static let example = Date(timeIntervalSince1970: 784_111_777)

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(Self.example) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.formatRFC5322(Self.example) == "Sun, 06 Nov 1994 08:49:37 +0000")
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850
        "Sun Nov  6 08:49:37 1994",  // ANSI C asctime()
        "Sun, 6 Nov 1994 03:49:37 -0500",  // RFC 5322 with a numeric zone
        "6 Nov 1994 08:49:37 +0000",  // RFC 5322 without a weekday
    ])
    func parsesEveryAcceptedForm(_ text: String) {
        #expect(HTTPDate.parse(text, now: Date(timeIntervalSince1970: 1_780_000_000)) == Self.example)
    }

    @Test(arguments: [
        0, 951_782_400 /* 2000-02-29 */, 1_709_164_799 /* 2024-02-28T23:59:59 */, -1 /* 1969-12-31T23:59:59 */,
        4_102_444_800 /* 2100-01-01 */, 1_780_000_000,
    ])
    func roundTrips(_ seconds: Int) throws {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        #expect(HTTPDate.parse(HTTPDate.format(date)) == date)
        #expect(HTTPDate.parse(HTTPDate.formatRFC5322(date)) == date)
    }

    @Test func rfc850TwoDigitYearsAreAtMostFiftyYearsAhead() {
        let now = HTTPDate.parse("Sun, 29 Nov 2026 00:00:00 GMT")!
        #expect(HTTPDate.parse("Thursday, 01-Jan-76 00:00:00 GMT", now: now) == HTTPDate.parse("Thu, 01 Jan 2076 00:00:00 GMT"))
        #expect(HTTPDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", now: now) == HTTPDate.parse("Sat, 01 Jan 1977 00:00:00 GMT"))
    }

    @Test(arguments: [
        "", "yesterday", "Mon, 30 Feb 2026 00:00:00 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 EST", "Sun, 06 Nov 94 08:49:37 GMT", "2026-11-29T00:00:00Z", "Sun, 06 Nov 1994",
    ])
    func rejectsWhatIsNotAnHTTPDate(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
