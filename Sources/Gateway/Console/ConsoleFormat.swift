import Foundation

/// Display formats the console pages share.
enum ConsoleFormat {
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeSeparator: .colon)
            .year().month().day().time(includingFractionalSeconds: false)) + "Z"
    }

    /// `45s`, `3m 12s`, `2h 5m`, `3d 4h`.
    static func age(_ duration: Duration?) -> String {
        guard let duration else { return "" }
        let seconds = Int(duration.components.seconds)
        switch seconds {
        case ..<60: return "\(max(seconds, 0))s"
        case ..<3600: return "\(seconds / 60)m \(seconds % 60)s"
        case ..<86_400: return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
        default: return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
        }
    }

    static func perMinute(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// Micro-dollars as `$1.234567`.
    static func usd(micros: Int64) -> String {
        String(format: "$%.6f", Double(micros) / 1_000_000)
    }

    /// The first `limit` characters, with an ellipsis when there was more.
    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
