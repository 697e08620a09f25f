import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The frame every console page shares: the operator banner, the navigation, the styles, and
/// the small script that keeps a live page fresh. A strict Content-Security-Policy backs up the
/// escaping: the only script that may run is the one carrying this response's nonce, and an
/// email's HTML (shown in a sandboxed frame) loads nothing from anywhere.
struct ConsolePage {
    var title: String
    var body: HTML
    /// Re-fetch this page every few seconds and swap its `<main>` (queues, jobs, write-backs).
    var live = false
    var status: HTTPResponse.Status = .ok

    static let navigation: [(path: String, label: String)] = [
        ("/console", "Queues"),
        ("/console/jobs?status=dead", "Dead"),
        ("/console/jobs?status=failing", "Failing"),
        ("/console/jobs", "All jobs"),
        ("/console/writebacks", "Write-backs"),
        ("/console/mailbox", "Mailbox"),
        ("/console/outbox", "Outbox"),
        ("/console/ai", "AI costs"),
    ]

    static let refreshSeconds = 2

    func response() -> Response {
        let nonce = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let links: [HTML] = Self.navigation.map { "<a href=\"\($0.path)\">\($0.label)</a>" }
        let page: HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>\(title) · Banquet console</title>
            <style>\(HTML(trusted: Self.styles))</style></head>
            <body>
            <div class="operator" role="note">Operator console — shows every tenant's jobs, messages and costs. For the people who run this Banquet installation, never for tenant staff.</div>
            <nav>\(links)<form method="post" action="/console/logout" class="inline"><button type="submit">Log out</button></form></nav>
            <h1>\(title)</h1>
            <main\(live ? HTML(trusted: " data-refresh=\"\(Self.refreshSeconds)\"") : "")>\(body)</main>
            <footer><span id="updated">rendered \(ConsoleFormat.time(Date()))</span></footer>
            <script nonce="\(nonce)">\(HTML(trusted: Self.script))</script>
            </body></html>
            """
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
        ], body: .init(byteBuffer: ByteBuffer(string: page.rendered)))
    }

    /// Live refresh: fetch the same URL, parse it (scripts in a parsed document never run) and
    /// replace `<main>`. Polling is the simple first step; it can move to the realtime endpoint.
    static let script = """
        (function () {
          var main = document.querySelector('main[data-refresh]');
          if (!main) return;
          var every = (parseInt(main.getAttribute('data-refresh'), 10) || 2) * 1000;
          async function refresh() {
            if (document.hidden) return;
            try {
              var response = await fetch(location.href, {credentials: 'same-origin', headers: {'Accept': 'text/html'}});
              if (!response.ok || response.redirected) return;
              var fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
              var next = fresh.querySelector('main');
              // Only a change is swapped in, so a button under the pointer stays put.
              if (next && next.innerHTML !== main.innerHTML) main.innerHTML = next.innerHTML;
              var stamp = fresh.getElementById('updated');
              if (stamp) document.getElementById('updated').textContent = stamp.textContent + ' (live)';
            } catch (e) { /* the next tick tries again */ }
          }
          setInterval(refresh, every);
        })();
        """

    static let styles = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#222}
        .operator{background:#3b1f5c;color:#fff;padding:.4rem .8rem;margin:0 -1.5rem;font-weight:600}
        nav{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center;padding:.6rem 0;border-bottom:1px solid #ddd}
        nav a{color:#3b1f5c;text-decoration:none;font-weight:600}
        h1{font-size:1.3rem} h2{font-size:1.1rem;margin-top:1.6rem}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}
        th,td{border-bottom:1px solid #e5e5e5;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f6f4f8;font-weight:600} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        pre{background:#f7f7f7;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-word;max-height:30rem}
        .error{color:#b00020;white-space:pre-wrap;word-break:break-word}
        .status-dead{color:#b00020;font-weight:600}.status-succeeded{color:#2e7d32;font-weight:600}
        .status-pending,.status-running{color:#ef6c00;font-weight:600}.status-cancelled{color:#666}
        form.inline{display:inline;margin:0} button{cursor:pointer}
        iframe.mail{width:100%;height:28rem;border:1px solid #ccc;background:#fff}
        .muted{color:#666} footer{margin-top:2rem;color:#888;font-size:12px}
        """
}

/// Small constructors for the console's JSON and redirect answers.
enum ConsoleResponse {
    static func json(status: HTTPResponse.Status = .ok, _ object: Any, headers: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.location] = location
        return Response(status: .seeOther, headers: fields)
    }
}
