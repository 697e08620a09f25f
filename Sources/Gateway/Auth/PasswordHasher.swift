import HummingbirdBcrypt
import NIOPosix

/// Turns passwords into stored hashes and checks them. A protocol so tests of the routes can use
/// a cheaper cost; the daemon uses bcrypt at GoTrue's cost.
protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    /// `hash` nil (no such user) still spends the time of a check and answers false, so the
    /// answer takes as long as for a known email (no account enumeration by timing).
    func verify(_ password: String, against hash: String?) async throws -> Bool
}

/// bcrypt (hummingbird-auth), cost 10 as GoTrue hashes. Each call takes tens of milliseconds of
/// CPU, so it runs on NIO's blocking thread pool, never on an event loop or the cooperative pool.
struct BcryptPasswordHasher: PasswordHasher {
    var cost: UInt8 = 10

    /// A hash of a password nobody has, for unknown emails. Built lazily on the thread pool.
    static let decoy = Bcrypt.hash("banquet-decoy-password", cost: 10)

    func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String?) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            guard let hash else {
                _ = Bcrypt.verify(password, hash: Self.decoy)
                return false
            }
            return Bcrypt.verify(password, hash: hash)
        }
    }
}
