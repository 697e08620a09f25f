/// `Duration` in the units APIs want. One place for the seconds/attoseconds arithmetic that was
/// written by hand wherever a Duration met a Double, a nanosecond count or milliseconds.
extension Duration {
    /// Whole and fractional seconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    public var inMilliseconds: Double { inSeconds * 1000 }

    /// Nanoseconds, saturating at Int64's range.
    public var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : product + attoseconds / 1_000_000_000
    }

    /// Time elapsed since `start` on the continuous clock.
    public static func since(_ start: ContinuousClock.Instant) -> Duration {
        ContinuousClock.now - start
    }
}
