import BanquetCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// The guest's proposal page, `/p/<public token>`: the link proposal emails and WhatsApp
/// templates carry. Server-rendered HTML, no script, no cookies. docs/pages.md describes it.
///
/// It calls the guest RPCs exactly as the frontend would through `/rest/v1/rpc`: as `anon`, in the
/// per-request transaction (`RequestSession`), so their rules — the token as the capability,
/// expiry, state checks — are the only ones. `GET` runs `get_public_proposal` (which marks a sent
/// proposal viewed and expires an overdue one); the Accept and Decline forms `POST` to
/// `/p/<token>/accept` and `/p/<token>/decline`, which call `accept_proposal` / `decline_proposal`
/// and answer `303 See Other` back to the page (post/redirect/get), which then shows the outcome.
///
/// Forms carry no CSRF token because there is no ambient authority to ride: no cookie, no
/// session; the token in the path is the whole credential and whoever can post it can open it.
/// As defence in depth, a post a browser marks cross-site (`Sec-Fetch-Site: cross-site`, or an
/// `Origin` naming another host) is refused with 403.
struct ProposalPages: Sendable {
    let api: ClientAPI
    let stylesheet = PageStyle.guest

    static let maxFormBytes = 16 * 1024

    func register(on router: Router<GatewayRequestContext>) {
        router.get("p/:token") { request, context in await self.show(request, context) }
        router.post("p/:token/accept") { request, context in await self.decide(request, context, accept: true) }
        router.post("p/:token/decline") { request, context in await self.decide(request, context, accept: false) }
    }

    // MARK: Handlers

    func show(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        guard let token = Self.token(context) else { return notFound(context) }
        do {
            let json = try await asGuest(request, context) { connection in
                try await Self.single(connection.query("select public.get_public_proposal(\(token))::text", logger: context.logger))
            }
            let proposal = try PublicProposal.decode(json)
            return ProposalView(proposal: proposal, token: token).page(stylesheet: stylesheet).response(requestID: context.requestID)
        } catch {
            return failure(error, context)
        }
    }

    func decide(_ request: Request, _ context: GatewayRequestContext, accept: Bool) async -> Response {
        guard let token = Self.token(context) else { return notFound(context) }
        if Self.isCrossSite(request) {
            return message(status: .forbidden, title: "Not allowed", text: "This form can only be sent from the proposal page itself.", context)
        }
        var request = request
        let form: [String: String]
        do {
            form = URLEncodedForm.fields(String(buffer: try await request.collectBody(upTo: Self.maxFormBytes)))
        } catch {
            return message(status: .contentTooLarge, title: "Too long", text: "That message is too long. Please shorten it and try again.",
                           back: token, context)
        }
        do {
            try await asGuest(request, context) { connection in
                if accept {
                    _ = try await Self.single(connection.query(
                        "select public.accept_proposal(\(token), \(form["name"] ?? ""), \(form["note"].flatMap(Self.nonBlank)))::text",
                        logger: context.logger))
                } else {
                    _ = try await connection.query(
                        "select public.decline_proposal(\(token), \(form["reason"].flatMap(Self.nonBlank)))", logger: context.logger).collect()
                }
            }
            var headers = HTMLPage.headers(csp: "default-src 'none'", requestID: context.requestID)
            headers[.location] = "/p/" + HTML.pathSegment(token)
            return Response(status: .seeOther, headers: headers)
        } catch {
            return failure(error, context, back: token)
        }
    }

    // MARK: Database

    /// Runs `work` as `anon` in the gateway's per-request transaction, as `/rest/v1/rpc` would.
    func asGuest<T: Sendable>(_ request: Request, _ context: GatewayRequestContext,
                              _ work: (PostgresConnection) async throws -> T) async throws -> T {
        let identity = RequestIdentity(role: "anon", claimsJSON: #"{"role":"anon"}"#, claims: AccessTokenClaims(role: "anon", ttl: 60), token: "")
        return try await api.session.run(as: identity, request: .init(request), logger: context.logger, work)
    }

    static func single(_ rows: PostgresRowSequence) async throws -> String {
        for try await (text) in rows.decode(String.self) { return text }
        throw PageFailure.noRow
    }

    enum PageFailure: Error { case noRow }

    // MARK: Answers

    /// Database errors as pages: the guest RPCs write their messages and hints for people (docs/database.md,
    /// *Errors*), so a 4xx shows them; anything else is a plain apology with the request id, and
    /// the cause goes to the log only.
    func failure(_ error: any Error, _ context: GatewayRequestContext, back token: String? = nil) -> Response {
        let info = (error as? PSQLError)?.serverInfo
        switch info?[.sqlState] {
        case "BQ202":
            return notFound(context)
        case "BQ205":
            return message(status: .gone, title: "This proposal has been replaced",
                           text: "The venue has sent a newer version of this proposal. Please use the link in their latest message, or ask them to send it again.",
                           context)
        case let code? where code.hasPrefix("BQ") || code.hasPrefix("22") || code == "23514":
            let status: HTTPResponse.Status = SQLStateStatus.banquetStatus(code) ?? .badRequest
            let text = [info?[.message], info?[.hint]].compactMap { $0 }.joined(separator: ". ")
            return message(status: status, title: status == .conflict ? "This proposal can no longer be changed" : "Please check your answer",
                           text: text, back: token, context)
        default:
            context.logger.error("proposal page failed", metadata: ["error": "\(DatabaseError.describe(error))"])
            return message(status: .internalServerError, title: "Something went wrong",
                           text: "We could not load this page. Please try again in a moment. (Reference \(context.requestID))", back: token, context)
        }
    }

    func notFound(_ context: GatewayRequestContext) -> Response {
        message(status: .notFound, title: "This link is not valid",
                text: "We could not find a proposal for this link. Check that you opened the whole link from the email, or ask the venue to send it again.",
                context)
    }

    func message(status: HTTPResponse.Status, title: String, text: String, back token: String? = nil, _ context: GatewayRequestContext) -> Response {
        var body = "<main><div class=\"card\" id=\"message\"><h1>\(HTML.text(title))</h1><p>\(HTML.text(text))</p>"
        if let token { body += "<p><a href=\"/p/\(HTML.pathSegment(token))\">Back to the proposal</a></p>" }
        body += "</div></main>"
        return HTMLPage(title: title, body: body, status: status, stylesheet: stylesheet).response(requestID: context.requestID)
    }

    // MARK: Request parsing

    /// Tokens are minted by SQL from URL-safe characters; anything else is not worth a query.
    static func token(_ context: GatewayRequestContext) -> String? {
        guard let token = context.parameters.get("token"), (1...200).contains(token.count),
              token.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }) else { return nil }
        return token
    }

    static func isCrossSite(_ request: Request) -> Bool {
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" { return true }
        guard let origin = request.headers[.origin], origin != "null" else { return false }
        guard let originHost = URLComponents(string: origin)?.host, let host = request.head.authority?.split(separator: ":").first else { return true }
        return originHost.lowercased() != host.lowercased()
    }

    static func nonBlank(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
