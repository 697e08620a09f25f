import BridgeRuntime
import Foundation

/// Jobs per minute by outcome over the last hour, as an inline SVG drawn on the server: one
/// stacked bar per minute (completed, failed, dead), no script and no library.
struct OutcomeChart {
    let minutes: Int
    let outcomes: [JobAdmin.MinuteOutcomes]
    let now: Date

    static let width = 720
    static let height = 200
    static let left = 40
    static let bottom = 42
    static let top = 10

    static let series: [(name: String, color: String, value: @Sendable (JobAdmin.MinuteOutcomes) -> Int64)] = [
        ("completed", "#2e7d32", { $0.completed }),
        ("failed", "#ef6c00", { $0.failed }),
        ("dead", "#c62828", { $0.dead }),
    ]

    func render() -> HTML {
        let calendar = Calendar(identifier: .gregorian)
        let thisMinute = calendar.dateInterval(of: .minute, for: now)?.start ?? now
        let first = thisMinute.addingTimeInterval(-Double(minutes - 1) * 60)
        var byIndex: [Int: JobAdmin.MinuteOutcomes] = [:]
        for outcome in outcomes {
            let index = Int((outcome.minute.timeIntervalSince(first) / 60).rounded())
            if index >= 0 && index < minutes { byIndex[index] = outcome }
        }
        let peak = max(1, byIndex.values.map { $0.completed + $0.failed + $0.dead }.max() ?? 1)
        let plotWidth = Self.width - Self.left - 8
        let plotHeight = Self.height - Self.bottom - Self.top
        let slot = Double(plotWidth) / Double(minutes)
        var bars: [HTML] = []
        for (index, outcome) in byIndex.sorted(by: { $0.key < $1.key }) {
            var y = Double(Self.top + plotHeight)
            let x = Double(Self.left) + Double(index) * slot
            for series in Self.series {
                let value = series.value(outcome)
                guard value > 0 else { continue }
                let barHeight = Double(plotHeight) * Double(value) / Double(peak)
                y -= barHeight
                let label = "\(ConsoleFormat.time(outcome.minute)): \(value) \(series.name)"
                bars.append("<rect class=\"\(series.name)\" data-count=\"\(value)\" x=\"\(Self.number(x + 1))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(slot - 2, 1)))\" height=\"\(Self.number(barHeight))\" fill=\"\(series.color)\"><title>\(label)</title></rect>")
            }
        }
        let axisY = Self.top + plotHeight
        var ticks: [HTML] = []
        for step in stride(from: 0, through: minutes, by: 15) {
            let x = Double(Self.left) + Double(step) * slot
            let label = step == minutes ? "now" : "-\(minutes - step)m"
            ticks.append("<text x=\"\(Self.number(x))\" y=\"\(axisY + 16)\" text-anchor=\"middle\">\(label)</text>")
        }
        let legend: [HTML] = Self.series.enumerated().map { offset, series in
            "<rect x=\"\(Self.left + offset * 110)\" y=\"\(Self.height - 14)\" width=\"10\" height=\"10\" fill=\"\(series.color)\"/><text x=\"\(Self.left + 14 + offset * 110)\" y=\"\(Self.height - 5)\">\(series.name)</text>"
        }
        return """
            <svg id="outcome-chart" role="img" aria-label="Jobs per minute by outcome, last \(minutes) minutes" viewBox="0 0 \(Self.width) \(Self.height)" width="\(Self.width)" height="\(Self.height)" font-size="11" font-family="sans-serif">
            <line x1="\(Self.left)" y1="\(axisY)" x2="\(Self.width - 8)" y2="\(axisY)" stroke="#999"/>
            <line x1="\(Self.left)" y1="\(Self.top)" x2="\(Self.left)" y2="\(axisY)" stroke="#999"/>
            <text x="\(Self.left - 4)" y="\(Self.top + 10)" text-anchor="end">\(peak)</text>
            <text x="\(Self.left - 4)" y="\(axisY)" text-anchor="end">0</text>
            \(ticks)\(bars)\(legend)
            </svg>
            """
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
