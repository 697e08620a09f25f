import ConnectorKit
import Foundation

/// The ECB's euro foreign exchange reference rates, published around 16:00 CET on TARGET
/// business days: `{base}/eurofxref-daily.xml` and `{base}/eurofxref-hist-90d.xml`.
public struct ECBRatesSource: FXRatesSource {
    public let mode = "ecb"
    let baseURL: URL
    let timeout: Duration
    let client: HTTPJSONClient

    public init(baseURL: URL, timeout: Duration, transport: any HTTPTransport) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.client = HTTPJSONClient(transport: transport)
    }

    public func fetch(history: Bool) async throws -> [FXDay] {
        let url = baseURL.appendingPathComponent(history ? "eurofxref-hist-90d.xml" : "eurofxref-daily.xml")
        let response = try await client.perform(HTTPRequestSpec(method: .GET, url: url, headers: ["Accept": "application/xml, text/xml"], timeout: timeout))
        return try ECBRatesXML.parse(String(decoding: response.body, as: UTF8.self))
    }
}

/// The offline source (the `make run` default): one day of fixed, plausible rates dated today, so
/// conversions work on a laptop without reaching the ECB. Named offline in logs and /health.
public struct OfflineFXRatesSource: FXRatesSource {
    public let mode = "offline"
    static let rates: [String: Double] = ["USD": 1.08, "GBP": 0.85, "CHF": 0.95, "JPY": 162.0, "SEK": 11.4, "DKK": 7.46, "NOK": 11.6, "PLN": 4.3, "CZK": 25.0, "HUF": 395.0]

    public init() {}

    public func fetch(history: Bool) async throws -> [FXDay] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return [FXDay(date: formatter.string(from: Date()), rates: Self.rates)]
    }
}
