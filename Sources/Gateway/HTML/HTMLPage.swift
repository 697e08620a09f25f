import BanquetCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A stylesheet inlined in `<style>` and allowed by the CSP through its SHA-256, so pages need no
/// external asset and no `'unsafe-inline'`.
struct HTMLStylesheet: Sendable {
    let css: String
    /// The CSP source expression: `'sha256-<base64>'`.
    let source: String

    init(_ css: String) {
        self.css = css
        self.source = "'sha256-" + Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString() + "'"
    }
}

/// One HTML document: title, trusted body markup (built with `HTML.text`), status.
struct HTMLPage: Sendable {
    var title: String
    var body: String
    var status: HTTPResponse.Status = .ok
    var stylesheet: HTMLStylesheet
    /// CSP directives a page needs beyond the default, e.g. `script-src 'sha256-…'` and
    /// `connect-src 'self'` for a page with a small script; the guest's page adds none.
    var additionalDirectives: [String] = []

    /// No script, the inline stylesheet by hash, same-origin images (storage's public logos),
    /// forms to this origin, no framing, no `<base>` rewriting.
    var contentSecurityPolicy: String {
        (["default-src 'none'", "style-src \(stylesheet.source)", "img-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"]
            + additionalDirectives).joined(separator: "; ")
    }

    func response(requestID: String) -> Response {
        let document = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>\(HTML.text(title))</title>
            <style>\(stylesheet.css)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>
            """
        return Response(status: status, headers: Self.headers(csp: contentSecurityPolicy, requestID: requestID),
                        body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    /// `Referrer-Policy: no-referrer` matters: the page's URL holds the guest's token, and a link
    /// to the payment provider must not carry it away in `Referer`.
    static func headers(csp: String, requestID: String) -> HTTPFields {
        [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: csp,
            .xContentTypeOptions: "nosniff",
            .xFrameOptions: "DENY",
            .referrerPolicy: "no-referrer",
            .cacheControl: "no-store",
            .requestID: requestID,
        ]
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
}
