import Foundation

/// Where daily reference rates come from. Implementations: `ECBRatesSource` (the European Central
/// Bank's euro foreign exchange reference rates) and `OfflineFXRatesSource` (a fixed table).
public protocol FXRatesSource: Sendable {
    /// `ecb` or `offline`.
    var mode: String { get }
    /// The published days, newest first; `history` asks for the last 90 days instead of the
    /// latest day. Throws `ConnectorError`.
    func fetch(history: Bool) async throws -> [FXDay]
}

/// One publication day: EUR-based rates (`rates["GBP"] = 0.85` means 1 EUR buys 0.85 GBP).
public struct FXDay: Sendable, Equatable {
    /// `YYYY-MM-DD`, as published.
    public var date: String
    public var rates: [String: Double]

    public init(date: String, rates: [String: Double]) {
        self.date = date
        self.rates = rates
    }
}
