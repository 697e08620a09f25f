import BanquetCore
import BridgeRuntime
import Connectors
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `/console`: the operator's console, across every tenant (docs/console.md).
///
/// Server-rendered pages — queues, dead and failing jobs with redrive and cancel, write-backs,
/// the offline mailbox and outboxes, the AI cost ledger — and the same data as JSON under
/// `/console/api`. It reads through `JobAdmin` (the API `banquet jobs` uses) on the daemon's own
/// pool, never through a tenant's request transaction, and is reachable only with the console
/// token or the service-role key (`ConsoleAccess`, enforced by `ConsoleGate`).
struct ConsoleRoutes: Sendable {
    static let prefix = "/console"
    static let apiPrefix = "/console/api"

    let access: ConsoleAccess
    let jobs: JobAdmin
    let ledger: AICostLedger
    let mailbox: OfflineFiles
    /// The offline WhatsApp, Instagram and payments outboxes, by channel name.
    let outboxes: [(channel: String, files: OfflineFiles)]
    /// Login attempts per client IP: a console token cannot be guessed at network speed.
    let loginLimiter = IPRateLimiter(limit: 20, window: 60)
    let trustProxy: Bool
    let logger: Logger

    init(api: ClientAPI) throws {
        let environment = api.environment
        access = try ConsoleAccess(issuer: api.issuer, environment: environment)
        jobs = JobAdmin(client: api.client, logger: api.logger)
        ledger = AICostLedger(client: api.client, logger: api.logger)
        mailbox = OfflineFiles(directory: EmailConfiguration.mailboxDirectory(environment)) { $0.hasSuffix(".eml") }
        let json: @Sendable (String) -> Bool = { $0.hasSuffix(".json") && !$0.hasSuffix(".meta.json") && !$0.hasPrefix("key-") }
        outboxes = [
            ("whatsapp", OfflineFiles(directory: try WhatsAppConfiguration.fromEnvironment(environment).graph.outbox, includes: json)),
            ("instagram", OfflineFiles(directory: try InstagramConfiguration.fromEnvironment(environment).graph.outbox, includes: json)),
            ("payments", OfflineFiles(directory: try PaymentsConfiguration.fromEnvironment(environment, publicURL: api.publicURL(port: 0)).outbox, includes: json)),
        ]
        trustProxy = try environment.bool("BANQUET_TRUST_PROXY", default: false)
        logger = api.logger
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("console/login") { request, _ in self.loginForm(next: Self.safeNext(request.uri.queryParameters["next"].map(String.init))) }
        router.post("console/login") { request, context in try await self.login(request, context) }

        let pages = router.group("console").add(middleware: ConsoleGate(access: access))
        pages.post("logout") { _, _ in ConsoleResponse.redirect("/console/login", headers: [.setCookie: self.access.clearedSessionCookie]) }
        pages.get("/") { request, context in await self.page(context) { try await self.queuesPage() } }
        pages.get("jobs") { request, context in await self.page(context) { try await self.jobsPage(request) } }
        pages.get("jobs/:id") { request, context in await self.page(context) { try await self.jobPage(request, context) } }
        pages.post("jobs/:id/retry") { request, context in await self.page(context) { try await self.jobAction(.retry, request, context) } }
        pages.post("jobs/:id/cancel") { request, context in await self.page(context) { try await self.jobAction(.cancel, request, context) } }
        pages.get("writebacks") { _, context in await self.page(context) { try await self.writebacksPage() } }
        pages.get("mailbox") { _, context in await self.page(context) { self.mailboxPage() } }
        pages.get("mailbox/:name") { _, context in await self.page(context) { try self.mailPage(context) } }
        pages.get("outbox") { _, context in await self.page(context) { self.outboxPage() } }
        pages.get("outbox/:channel/:name") { _, context in await self.page(context) { try self.outboxFilePage(context) } }
        pages.get("ai") { _, context in await self.page(context) { try await self.aiPage() } }

        let api = pages.group("api")
        api.get("overview") { _, context in await self.json(context) { try await self.overviewJSON() } }
        api.get("jobs") { request, context in await self.json(context) { try await self.jobsJSON(request) } }
        api.get("jobs/:id") { _, context in await self.json(context) { try await self.jobJSON(context) } }
        api.post("jobs/:id/retry") { _, context in await self.json(context) { try await self.actionJSON(.retry, context) } }
        api.post("jobs/:id/cancel") { _, context in await self.json(context) { try await self.actionJSON(.cancel, context) } }
        api.get("writebacks") { _, context in await self.json(context) { try await self.writebacksJSON() } }
        api.get("mailbox") { _, context in await self.json(context) { self.mailboxJSON() } }
        api.get("outbox") { _, context in await self.json(context) { self.outboxJSON() } }
        api.get("ai") { _, context in await self.json(context) { try await self.aiJSON() } }

        // Any other path under /console is a 404 only for an operator: it sits behind the gate, so
        // without a credential it gets the same 401 or login redirect as a real page, and the
        // console's routes cannot be told apart from outside.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            pages.on("**", method: method) { _, _ -> Response in throw HTTPError(.notFound) }
        }
    }

    // MARK: Login

    func loginForm(next: String, refused: Bool = false) -> Response {
        let notice: HTML = refused ? "<p class=\"error\" role=\"alert\">That token is not accepted here.</p>" : ""
        return ConsolePage(title: "Log in", body: """
            \(notice)
            <p>Paste the console token (<code>BANQUET_CONSOLE_TOKEN</code>) or the service-role key that <code>make run</code> prints.
            A tenant's sign-in does not open the console.</p>
            <form method="post" action="/console/login">
            <input type="hidden" name="next" value="\(next)">
            <label>Token <input type="password" name="token" id="token" autocomplete="off" size="60" required autofocus></label>
            <button type="submit" id="login">Log in</button>
            </form>
            """, status: refused ? .unauthorized : .ok).response()
    }

    func login(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        if let retryAfter = loginLimiter.hit(context.clientIP(request, trustProxy: trustProxy)) {
            logger.warning("console: login rate limit reached")
            var page = ConsolePage(title: "Log in", body: "<p class=\"error\" role=\"alert\">Too many attempts from this address; try again in \(retryAfter) s.</p>",
                                   status: .tooManyRequests).response()
            page.headers[.retryAfter] = "\(retryAfter)"
            return page
        }
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let fields = URLEncodedForm.fields(String(buffer: buffer))
        let token = fields["token"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let next = Self.safeNext(fields["next"])
        guard !token.isEmpty, await access.accepts(token) else {
            logger.warning("console: login refused")
            return loginForm(next: next, refused: true)
        }
        logger.info("console: operator logged in")
        return ConsoleResponse.redirect(next, headers: [.setCookie: access.newSessionCookie()])
    }

    /// Where to go after logging in: a console path, never another site (`//evil`, `/\evil`).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/console"), !next.contains("//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.value < 0x21 }) else { return "/console" }
        return next
    }

    // MARK: Answering

    /// Runs a page handler; a failure becomes a page that names the request id (the log has the rest).
    func page(_ context: GatewayRequestContext, _ work: () async throws -> Response) async -> Response {
        do {
            return try await work()
        } catch let error as ConsoleError {
            return ConsolePage(title: error.title, body: "<p>\(error.message)</p>", status: error.status).response()
        } catch {
            context.logger.error("console: page failed", metadata: ["error": "\(String(reflecting: error))"])
            return ConsolePage(title: "Something went wrong", body: "<p>The console could not build this page. Request id: <code>\(context.requestID)</code> (in the daemon's log).</p>",
                               status: .internalServerError).response()
        }
    }

    func json(_ context: GatewayRequestContext, _ work: () async throws -> Any) async -> Response {
        do {
            return ConsoleResponse.json(try await work())
        } catch let error as ConsoleError {
            return ConsoleResponse.json(status: error.status, ["error": error.message])
        } catch {
            context.logger.error("console: request failed", metadata: ["error": "\(String(reflecting: error))"])
            return ConsoleResponse.json(status: .internalServerError, ["error": "console: unexpected failure", "request_id": context.requestID])
        }
    }
}

/// A console answer other than success: no such job, no such message, a refused action.
struct ConsoleError: Error {
    var status: HTTPResponse.Status
    var title: String
    var message: String

    static func notFound(_ message: String) -> ConsoleError {
        ConsoleError(status: .notFound, title: "Not found", message: message)
    }
}
