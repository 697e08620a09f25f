import ArgumentParser
import BanquetCore
import Foundation
import Gateway

/// `banquet token`: mints a signed token for an operator or a script, with the project's secret
/// (`BANQUET_JWT_SECRET`, else `<data dir>/jwt-secret`).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a JWT signed with the project's secret.",
        discussion: """
            banquet token --role service_role --ttl 1h
            banquet token --role authenticated --sub 3f1c…-uuid --email ana@example.com
            TTL takes s, m, h, d or y (default 1h).
            """
    )

    @Option(help: "anon, authenticated or service_role.") var role: String
    @Option(help: "The user id (the `sub` claim).") var sub: String?
    @Option(help: "The `email` claim.") var email: String?
    @Option(help: "Lifetime: 90s, 15m, 1h, 30d, 10y.") var ttl: String = "1h"

    func run() async throws {
        guard TokenIssuer.roles.contains(role) else {
            throw ValidationError("--role must be one of \(TokenIssuer.roles.sorted().joined(separator: ", "))")
        }
        if let sub, UUID(uuidString: sub) == nil { throw ValidationError("--sub must be a UUID, got '\(sub)'") }
        guard let seconds = Self.seconds(ttl) else { throw ValidationError("--ttl must look like 90s, 15m, 1h, 30d or 10y; got '\(ttl)'") }
        let issuer = await TokenIssuer(secret: try JWTSecret.load(Environment()))
        let claims = AccessTokenClaims(sub: sub, role: role, aud: sub == nil ? nil : "authenticated", ttl: seconds, email: email,
                                       isAnonymous: sub == nil ? nil : false)
        print(try await issuer.sign(claims))
    }

    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        case "y": return value * 365 * 86400
        default: return nil
        }
    }
}

/// `banquet keys`: the two API keys a client needs, as `supabase status` prints them: the anon
/// key (the frontend's) and the service-role key (servers only; it bypasses RLS). Ten-year tokens,
/// as Supabase's are.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Print the anon and service-role API keys.")

    @Flag(help: "Print shell assignments (ANON_KEY=…, SERVICE_ROLE_KEY=…).") var shell = false

    func run() async throws {
        let issuer = await TokenIssuer(secret: try JWTSecret.load(Environment()))
        let anon = try await issuer.sign(AccessTokenClaims(role: "anon", ttl: 10 * 365 * 86400))
        let service = try await issuer.sign(AccessTokenClaims(role: "service_role", ttl: 10 * 365 * 86400))
        if shell {
            print("ANON_KEY=\(anon)\nSERVICE_ROLE_KEY=\(service)")
        } else {
            print("  anon key          \(anon)")
            print("  service_role key  \(service)")
        }
    }
}
