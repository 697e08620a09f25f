import Logging
import NIOConcurrencyHelpers

/// Collects log messages in memory so a test can assert what the runtime said (or did not).
final class CapturedLog: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var messages: [String] { lines.withLockedValue { $0 } }

    func handler() -> some LogHandler { Handler(log: self) }

    fileprivate func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.level) \(event.message)")
        }
    }
}
