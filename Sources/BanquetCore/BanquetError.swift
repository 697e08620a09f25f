/// Errors that mean "the operator must change something" rather than "retry later".
public enum BanquetError: Error, CustomStringConvertible, Sendable {
    case configuration(String)
    case usage(String)

    public var description: String {
        switch self {
        case .configuration(let message): return "configuration error: \(message)"
        case .usage(let message): return message
        }
    }
}
