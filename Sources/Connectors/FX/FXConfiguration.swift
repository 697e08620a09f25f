import BanquetCore
import ConnectorKit
import Foundation

/// Which FX source the daemon uses, from the environment:
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_FX_SOURCE` | `offline` (fixed rates) or `ecb` | `offline` |
/// | `ECB_RATES_URL` | directory holding eurofxref-daily.xml and eurofxref-hist-90d.xml | `https://www.ecb.europa.eu/stats/eurofxref` |
/// | `FX_STALE_BUSINESS_DAYS` | newest rates older than this many business days raise the alarm | `4` |
/// | `FX_TIMEOUT_SECONDS` | per request | `20` |
public struct FXConfiguration: Sendable {
    public enum Source: String, Sendable, CaseIterable {
        case offline
        case ecb
    }

    public var source: Source
    public var ecbURL: URL
    public var staleBusinessDays: Int
    public var timeout: Duration

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> FXConfiguration {
        let name = env.string("BANQUET_FX_SOURCE", default: Source.offline.rawValue).lowercased()
        guard let source = Source(rawValue: name) else {
            throw BanquetError.configuration("BANQUET_FX_SOURCE must be one of \(Source.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        let raw = env.string("ECB_RATES_URL", default: "https://www.ecb.europa.eu/stats/eurofxref")
        guard let url = URL(string: raw), url.scheme == "https" || url.scheme == "http" else {
            throw BanquetError.configuration("ECB_RATES_URL must be an http(s) URL, got '\(raw)'")
        }
        let stale = try env.int("FX_STALE_BUSINESS_DAYS", default: 4)
        guard stale >= 1 else { throw BanquetError.configuration("FX_STALE_BUSINESS_DAYS must be at least 1, got \(stale)") }
        return FXConfiguration(source: source, ecbURL: url, staleBusinessDays: stale, timeout: .seconds(try env.int("FX_TIMEOUT_SECONDS", default: 20)))
    }

    public func makeSource(transport: any HTTPTransport) -> any FXRatesSource {
        switch source {
        case .ecb: ECBRatesSource(baseURL: ecbURL, timeout: timeout, transport: transport)
        case .offline: OfflineFXRatesSource()
        }
    }

    public func describe() -> String {
        switch source {
        case .ecb: "ecb (\(Redaction.url(ecbURL)))"
        case .offline: "offline (fixed rates)"
        }
    }
}
