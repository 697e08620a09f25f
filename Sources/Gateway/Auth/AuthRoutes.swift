import Hummingbird

/// `/auth/v1`: the GoTrue-compatible subset (signup, token, user, logout, recover, verify).
struct AuthRoutes {
    let api: ClientAPI

    init(api: ClientAPI) throws {
        self.api = api
    }

    func register(on router: Router<GatewayRequestContext>) {}
}
