import ConnectorKit
import Foundation
import NIOHTTP1
import Testing

@Suite struct ConnectorErrorTests {
    enum Kind { case retryable, permanent, unauthorized }

    static func kind(_ error: ConnectorError) -> Kind {
        switch error {
        case .retryable: .retryable
        case .permanent: .permanent
        case .unauthorized: .unauthorized
        }
    }

    @Test(arguments: [
        (408, Kind.retryable), (425, .retryable), (429, .retryable), (500, .retryable), (502, .retryable),
        (503, .retryable), (504, .retryable), (599, .retryable), (400, .permanent), (404, .permanent),
        (409, .permanent), (422, .permanent), (301, .permanent), (401, .unauthorized), (403, .unauthorized),
    ])
    func statusClassification(status: Int, expected: Kind) {
        let error = ConnectorError.classify(status: status, headers: [:], body: [UInt8]())
        #expect(Self.kind(error) == expected)
    }

    @Test func retryAfterIsHonoured() {
        let now = Date(timeIntervalSince1970: 784_111_687)
        let seconds = ConnectorError.classify(status: 429, headers: ["Retry-After": "7"], body: [UInt8](), now: now)
        let date = ConnectorError.classify(
            status: 503, headers: ["Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"], body: [UInt8](), now: now)
        let ignoredOn400 = ConnectorError.classify(status: 400, headers: ["Retry-After": "7"], body: [UInt8]())

        #expect(seconds == .retryable("request returned 429", retryAfter: .seconds(7)))
        #expect(date.retryAfter == .seconds(90))
        #expect(ignoredOn400.retryAfter == nil)
    }

    @Test func messageNamesTheRequestAndQuotesTheBodyBriefly() {
        let body = Array(#"{"error":"invalid model"}"#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 1000)
        let error = ConnectorError.classify(status: 400, headers: [:], body: body, request: "POST https://api.example.com/v1")

        #expect(error.message.hasPrefix(#"POST https://api.example.com/v1 returned 400: {"error":"invalid model"}"#))
        #expect(error.message.count < 600)
        #expect(!error.isRetryable)
    }
}
