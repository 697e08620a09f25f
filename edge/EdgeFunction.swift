import Hummingbird

/// An HTTP entry point that is not an RPC (webhooks, public forms), served at
/// `/functions/v1/<name>` as Supabase serves edge functions.
///
/// Each function gets the raw request (webhook signatures are computed over the exact bytes)
/// and answers quickly: anything slow is written to the database and done by the bridge.
public protocol EdgeFunction: Sendable {
    var name: String { get }
    func handle(_ request: Request, context: some RequestContext) async throws -> Response
}

/// The set of edge functions a daemon serves; the gateway mounts it on its router.
public struct EdgeFunctions: Sendable {
    private var functions: [String: any EdgeFunction] = [:]

    public init(_ functions: [any EdgeFunction] = []) {
        for function in functions { self.functions[function.name] = function }
    }

    public var names: [String] { functions.keys.sorted() }

    public func mount<Context: RequestContext>(on router: Router<Context>) {
        let functions = self.functions
        router.on("/functions/v1/:name", method: .post) { request, context -> Response in
            try await Self.dispatch(functions, request, context)
        }
        router.on("/functions/v1/:name", method: .get) { request, context -> Response in
            try await Self.dispatch(functions, request, context)
        }
        // CORS preflight, for functions a browser calls from another origin (the inquiry form).
        router.on("/functions/v1/:name", method: .options) { request, context -> Response in
            try await Self.dispatch(functions, request, context)
        }
    }

    private static func dispatch(_ functions: [String: any EdgeFunction], _ request: Request, _ context: some RequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let function = functions[name] else {
            throw HTTPError(.notFound, message: "no edge function named '\(name)'")
        }
        return try await function.handle(request, context: context)
    }
}
