/// Which handler performs which job kind in this daemon.
public struct JobHandlerRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init() {}

    public mutating func register(_ kind: String, handler: some JobHandler) {
        handlers[kind] = handler
    }

    /// The handlers this module ships: `bridge.noop` and `http.post`.
    public mutating func registerBuiltins() {
        register(NoopHandler.kind, handler: NoopHandler())
        register(HTTPPostHandler.kind, handler: HTTPPostHandler())
    }

    public func handler(for kind: String) -> (any JobHandler)? {
        handlers[kind]
    }

    public var kinds: [String] { handlers.keys.sorted() }
}
