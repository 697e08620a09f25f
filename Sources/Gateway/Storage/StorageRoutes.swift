import Hummingbird

/// `/storage/v1`: the Storage-compatible subset the supabase client's `storage` uses.
struct StorageRoutes {
    let api: ClientAPI

    init(api: ClientAPI) throws {
        self.api = api
    }

    func register(on router: Router<GatewayRequestContext>) {}
}
