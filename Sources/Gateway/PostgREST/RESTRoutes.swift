import Hummingbird

/// `/rest/v1`: PostgREST-compatible RPC and the OpenAPI description.
struct RESTRoutes {
    let api: ClientAPI

    init(api: ClientAPI) throws {
        self.api = api
    }

    func register(on router: Router<GatewayRequestContext>) {}
}
