import BanquetCore
import Foundation
@testable import Gateway
import Testing

/// The pure parts of `/auth/v1`: where verified links may send their tokens, how links are
/// encoded, which error shape a request gets, how tokens are stored. The routes themselves are
/// tested end to end through the real supabase client (tests/gateway/test_auth*.py).
@Suite("Auth units")
struct AuthUnitTests {
    func configuration(_ values: [String: String] = [:]) throws -> AuthConfiguration {
        try AuthConfiguration.fromEnvironment(Environment(["BANQUET_HTTP_PORT": "54321"].merging(values) { $1 }))
    }

    @Test func defaults() throws {
        let config = try configuration()
        #expect(config.autoconfirm)
        #expect(config.accessTokenTTL == 3600)
        #expect(config.minimumPasswordLength == 6)
        #expect(config.publicURL == "http://localhost:54321")
        #expect(config.siteURL == "http://localhost:54321")
        #expect(config.passwordGrantLimit == 30 && config.passwordGrantWindow == 300)
        #expect(config.signupLimit == 30 && config.emailWindow == 3600)
    }

    @Test func refusesSettingsThatWouldWeakenAuth() {
        #expect(throws: BanquetError.self) { try configuration(["BANQUET_AUTH_MIN_PASSWORD": "4"]) }
        #expect(throws: BanquetError.self) { try configuration(["BANQUET_AUTH_MIN_PASSWORD": "100"]) }
        #expect(throws: BanquetError.self) { try configuration(["BANQUET_JWT_EXPIRY": "5"]) }
        #expect(throws: BanquetError.self) { try configuration(["BANQUET_AUTH_AUTOCONFIRM": "maybe"]) }
    }

    /// A recovery link carries a session to its redirect target, so only the site's own host and
    /// allow-listed prefixes may receive it.
    @Test func redirectTargets() throws {
        let config = try configuration([
            "BANQUET_PUBLIC_URL": "https://api.example.com", "BANQUET_AUTH_SITE_URL": "https://app.example.com",
            "BANQUET_AUTH_REDIRECT_URLS": "https://partner.example.org/auth/, myapp://callback",
        ])
        #expect(config.allowedRedirect("https://app.example.com/reset?x=1") == "https://app.example.com/reset?x=1")
        #expect(config.allowedRedirect("https://api.example.com/done") == "https://api.example.com/done")
        #expect(config.allowedRedirect("https://partner.example.org/auth/landing") == "https://partner.example.org/auth/landing")
        #expect(config.allowedRedirect("https://evil.example.net/steal") == "https://app.example.com")
        #expect(config.allowedRedirect("https://partner.example.org/other") == "https://app.example.com")
        #expect(config.allowedRedirect("https://app.example.com.evil.net/") == "https://app.example.com")
        #expect(config.allowedRedirect("javascript:alert(1)") == "https://app.example.com")
        #expect(config.allowedRedirect("myapp://callback/done") == "myapp://callback/done")
        #expect(config.allowedRedirect("myapp://callbackevil/") == "https://app.example.com")
        #expect(config.allowedRedirect(nil) == "https://app.example.com")
    }

    @Test func formEncodingKeepsValuesInsideTheirParameter() {
        #expect(FormEncoding.encode([("redirect_to", "https://a.b/c?d=1&e=2#f"), ("sb", "")])
            == "redirect_to=https%3A%2F%2Fa.b%2Fc%3Fd%3D1%26e%3D2%23f&sb=")
    }

    @Test func apiVersionHeaderPicksTheErrorShape() {
        #expect(GoTrueError.prefersVersion20240101("2024-01-01"))
        #expect(GoTrueError.prefersVersion20240101("2025-06-30"))
        #expect(!GoTrueError.prefersVersion20240101("2023-12-31"))
        #expect(!GoTrueError.prefersVersion20240101(nil))
        #expect(!GoTrueError.prefersVersion20240101("latest"))
        #expect(!GoTrueError.prefersVersion20240101("2024-1-01"))
    }

    @Test func opaqueTokensAreRandomAndStoredAsSHA256() {
        let a = OpaqueToken.generate(), b = OpaqueToken.generate()
        #expect(a.value != b.value)
        #expect(a.value.count == 43)
        #expect(a.hash.count == 64 && a.hash != a.value)
        #expect(OpaqueToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func verifyTypesMapToTokenKinds() {
        #expect(OneTimeTokenKind.accepted(byVerifyType: "signup") == [.confirmation])
        #expect(OneTimeTokenKind.accepted(byVerifyType: "recovery") == [.recovery])
        #expect(OneTimeTokenKind.accepted(byVerifyType: "email") == [.confirmation, .recovery])
        #expect(OneTimeTokenKind.accepted(byVerifyType: "sms") == nil)
    }
}
