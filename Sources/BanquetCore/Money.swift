/// An amount in minor units of an ISO 4217 currency, printed the one way Banquet prints money to
/// people (the guest's page, emails): `EUR 1,234.50`, `JPY 15,000`, `KWD 12.500`, `-GBP 5.00`.
///
/// Minor units follow ISO 4217 exponents, as the payment provider reads `amount_minor` (Stripe's
/// zero-decimal currencies are JPY, KRW, …).
public struct Money: Sendable, Equatable, CustomStringConvertible {
    public var minor: Int64
    public var currency: String

    public init(minor: Int64, currency: String) {
        self.minor = minor
        self.currency = currency.uppercased()
    }

    /// Currencies whose minor unit is not 1/100.
    static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
        "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]

    public var exponent: Int { Self.exponents[currency] ?? 2 }

    /// The amount without the currency: `1,234.50`.
    public var formattedAmount: String {
        let magnitude = minor.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = String(magnitude / divisor)
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        guard exponent > 0 else { return grouped }
        let fraction = String(magnitude % divisor)
        return grouped + "." + String(repeating: "0", count: exponent - fraction.count) + fraction
    }

    public var description: String {
        (minor < 0 ? "-" : "") + currency + " " + formattedAmount
    }
}
