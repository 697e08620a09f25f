/// Which handler performs which job kind in this daemon.
public struct JobHandlerRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init() {}

    public mutating func register(_ kind: String, handler: some JobHandler) {
        handlers[kind] = handler
    }

    public func handler(for kind: String) -> (any JobHandler)? {
        handlers[kind]
    }

    public var kinds: [String] { handlers.keys.sorted() }
}
