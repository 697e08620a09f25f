import BridgeRuntime
import ConnectorKit
import Connectors
import Foundation
import Metrics

/// `fx.sync`: fetches the reference rates (the latest day, or the 90-day history when the payload
/// says `"history": "90d"`) and hands them to `app.fx_sync_writeback`, which stores them through
/// `upsert_fx_rates` (draft proposals in foreign currencies reprice by trigger).
///
/// Staleness: when the newest published day is more than `staleBusinessDays` business days old
/// (weekends do not count; TARGET holidays do, which is why the threshold is 4, not 1), the result
/// says `"stale": true` — the write-back notifies affected organizations — the gauge
/// `fx_rates_age_business_days` shows the age and an error is logged for the operator.
public struct FXSyncHandler: JobHandler {
    public static let kind = "fx.sync"

    let source: any FXRatesSource
    let staleBusinessDays: Int
    let now: @Sendable () -> Date

    public init(source: any FXRatesSource, staleBusinessDays: Int = 4, now: @escaping @Sendable () -> Date = Date.init) {
        self.source = source
        self.staleBusinessDays = staleBusinessDays
        self.now = now
    }

    public struct Payload: Decodable, Sendable {
        var source: String?
        var history: String?
    }

    struct Day: Encodable {
        var asOf: String
        var rates: [String: Double]
        enum CodingKeys: String, CodingKey { case asOf = "as_of", rates }
    }

    struct Result: Encodable {
        var source: String
        var days: [Day]
        var newest: String
        var stale: Bool
        var ageBusinessDays: Int
        var transport: String
        enum CodingKeys: String, CodingKey { case source, days, newest, stale, ageBusinessDays = "age_business_days", transport }
    }

    public var provider: String? { "fx" }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        if let history = payload.history, history != "90d" {
            throw JobFailure.permanent("fx.sync: history must be \"90d\" (the ECB publishes a 90-day file), got '\(history)'")
        }
        let days: [FXDay]
        do {
            days = try await source.fetch(history: payload.history != nil)
        } catch let error as ConnectorError {
            throw JobFailure(error)
        }
        guard let newest = days.first else { throw JobFailure.permanent("fx.sync: the source published no rates") }
        let age = Self.businessDays(from: newest.date, to: now())
        let stale = age > staleBusinessDays
        Gauge(label: "fx_rates_age_business_days").record(age)
        if stale {
            context.logger.error("fx rates are stale", metadata: ["newest": "\(newest.date)", "age_business_days": "\(age)", "source": "\(source.mode)"])
        }
        return try JobResult.encoding(Result(source: "ECB", days: days.map { Day(asOf: $0.date, rates: $0.rates) }, newest: newest.date,
                                             stale: stale, ageBusinessDays: age, transport: source.mode))
    }

    /// Monday–Friday days after `date` up to and including today (UTC): Friday's rates read on
    /// Monday are 1 business day old.
    static func businessDays(from date: String, to now: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, var day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return 0 }
        let today = calendar.startOfDay(for: now)
        var count = 0
        while day < today {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            if !calendar.isDateInWeekend(day) { count += 1 }
        }
        return count
    }
}
