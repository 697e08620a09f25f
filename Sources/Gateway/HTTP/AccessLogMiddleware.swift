import Foundation
import Hummingbird
import Logging
import Metrics

/// One log line per request (method, path, status, duration, client IP, request id) and the
/// gateway's counters and latency histograms on `/metrics`, labelled by route group
/// (`rest`, `auth`, `storage`, `functions`, …) so the label set stays small.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let trustProxy: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let group = Self.routeGroup(request.uri.path)
        do {
            let response = try await next(request, context)
            record(request, context, group: group, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, group: group, status: status, started: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, group: String, status: Int, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Counter(label: "gateway_requests_total", dimensions: [("route", group), ("method", request.method.rawValue), ("status", String(status))]).increment()
        Timer(label: "gateway_request_duration_seconds", dimensions: [("route", group)]).recordNanoseconds(Int64(seconds * 1e9))
        // Health probes and scrapes would drown the log; they are counted, not logged.
        guard group != "health", group != "metrics" else { return }
        context.logger.info("http", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(group == "pages" ? Self.withoutToken(request.uri.path) : request.uri.path)", "status": "\(status)",
            "ms": "\(String(format: "%.2f", seconds * 1000))", "ip": "\(context.clientIP(request, trustProxy: trustProxy))",
        ])
    }

    /// `/p/<token>/accept` → `/p/…/accept`: the guest's token is a credential and stays out of logs.
    static func withoutToken(_ path: String) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 2 { parts[2] = "…" }
        return parts.joined(separator: "/")
    }

    static func routeGroup(_ path: String) -> String {
        let parts = path.split(separator: "/", maxSplits: 2)
        guard let first = parts.first else { return "root" }
        switch first {
        case "rest", "auth", "storage", "functions", "realtime": return String(first)
        case "health", "metrics": return String(first)
        case "p": return "pages"
        default: return "other"
        }
    }
}
