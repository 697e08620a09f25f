import ConnectorKit
import Foundation
import Testing

@Suite struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:48:07 GMT: 90 s before RFC 9110's example date.
    static let now = Date(timeIntervalSince1970: 784_111_687)

    @Test func deltaSeconds() {
        #expect(RetryAfter.parse("120", now: Self.now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: Self.now) == .zero)
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    ])
    func httpDateInEachForm(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == .seconds(90))
    }

    @Test func aDateInThePastMeansNow() {
        #expect(RetryAfter.parse("Sat, 05 Nov 1994 08:49:37 GMT", now: Self.now) == .zero)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "12abc", "Sun, 06 Nov 1994"])
    func garbageIsNil(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil)
    }
}
