import BanquetCore
import ConnectorKit
import Foundation
import Logging

/// Which email transport the daemon uses, from the environment:
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `BANQUET_EMAIL_TRANSPORT` | `mailbox` (offline, `.eml` files) or `smtp` | `mailbox` |
/// | `EMAIL_FROM` | sender when a job names none | `Banquet <no-reply@banquet.local>` |
/// | `BANQUET_MAILBOX_DIR` | where `mailbox` writes | `<BANQUET_DATA_DIR>/mailbox` |
/// | `SMTP_HOST`, `SMTP_PORT` | server (required for `smtp`) | —, `587` |
/// | `SMTP_USERNAME`, `SMTP_PASSWORD` | AUTH PLAIN/LOGIN credentials | none (no AUTH) |
/// | `SMTP_STARTTLS` | `never`, `if-available`, `required` | `required` |
/// | `SMTP_TIMEOUT_SECONDS` | per connect and per reply | `30` |
/// | `SMTP_HELO_NAME` | EHLO name | sender's domain |
/// | `RESEND_API_KEY` | API key (required for `resend`) | — |
/// | `RESEND_API_URL` | API base | `https://api.resend.com` |
/// | `RESEND_TIMEOUT_SECONDS` | per request | `20` |
/// | `RESEND_WEBHOOK_SECRET` | `whsec_…` Svix secret of the email-events webhook | — (webhook answers 503) |
public struct EmailConfiguration: Sendable {
    public enum Transport: String, Sendable, CaseIterable {
        case mailbox
        case smtp
        case resend
    }

    public var transport: Transport
    /// `From` for messages whose job does not name a sender.
    public var from: String
    public var mailboxDirectory: URL
    /// Set when `transport == .smtp`.
    public var smtp: SMTPConfiguration?
    /// Set when `transport == .resend`.
    public var resend: ResendConfiguration?
    /// The email-events webhook's Svix secret (any transport may receive events).
    public var webhookSecret: String?

    public init(transport: Transport, from: String = "Banquet <no-reply@banquet.local>", mailboxDirectory: URL, smtp: SMTPConfiguration? = nil) {
        self.transport = transport
        self.from = from
        self.mailboxDirectory = mailboxDirectory
        self.smtp = smtp
    }

    /// Where the offline mailbox keeps its `.eml` files, whatever the transport: the console
    /// reads it on gateways that send no email themselves.
    public static func mailboxDirectory(_ env: BanquetCore.Environment) -> URL {
        URL(fileURLWithPath: env.optionalString("BANQUET_MAILBOX_DIR") ?? env.dataDirectory + "/mailbox")
    }

    public static func fromEnvironment(_ env: BanquetCore.Environment) throws -> EmailConfiguration {
        let transportName = env.string("BANQUET_EMAIL_TRANSPORT", default: Transport.mailbox.rawValue).lowercased()
        guard let transport = Transport(rawValue: transportName) else {
            throw BanquetError.configuration("BANQUET_EMAIL_TRANSPORT must be one of \(Transport.allCases.map(\.rawValue).joined(separator: ", ")), got '\(transportName)'")
        }
        let from = env.string("EMAIL_FROM", default: "Banquet <no-reply@banquet.local>")
        do {
            _ = try EmailAddress(parsing: from)
        } catch {
            throw BanquetError.configuration("EMAIL_FROM must be an address like 'Banquet <no-reply@example.com>', got '\(from)'")
        }
        var configuration = EmailConfiguration(transport: transport, from: from, mailboxDirectory: mailboxDirectory(env))
        if transport == .smtp {
            configuration.smtp = try smtpConfiguration(env)
        }
        if transport == .resend {
            guard let key = env.optionalString("RESEND_API_KEY") else { throw BanquetError.configuration("BANQUET_EMAIL_TRANSPORT=resend needs RESEND_API_KEY") }
            let raw = env.string("RESEND_API_URL", default: "https://api.resend.com")
            guard let url = URL(string: raw), url.scheme == "https" || url.scheme == "http" else {
                throw BanquetError.configuration("RESEND_API_URL must be an http(s) URL, got '\(raw)'")
            }
            configuration.resend = ResendConfiguration(apiKey: key, apiURL: url, timeout: .seconds(try env.int("RESEND_TIMEOUT_SECONDS", default: 20)))
        }
        configuration.webhookSecret = env.optionalString("RESEND_WEBHOOK_SECRET")
        return configuration
    }

    /// One line for the startup log; never includes the password.
    public func describe() -> String {
        switch (transport, smtp) {
        case (.smtp, let smtp?):
            let auth = smtp.username.map { "AUTH as \($0)" } ?? "no AUTH"
            return "smtp \(smtp.host):\(smtp.port) (STARTTLS \(smtp.startTLS.rawValue), \(auth))"
        case (.resend, _):
            return "resend (\(resend.map { Redaction.url($0.apiURL) } ?? "?"))"
        default:
            return "mailbox (offline: .eml files in \(mailboxDirectory.path); nothing is delivered)"
        }
    }

    private static func smtpConfiguration(_ env: BanquetCore.Environment) throws -> SMTPConfiguration {
        guard let host = env.optionalString("SMTP_HOST") else {
            throw BanquetError.configuration("BANQUET_EMAIL_TRANSPORT=smtp needs SMTP_HOST")
        }
        let startTLSName = env.string("SMTP_STARTTLS", default: SMTPConfiguration.StartTLS.required.rawValue).lowercased()
        guard let startTLS = SMTPConfiguration.StartTLS(rawValue: startTLSName) else {
            throw BanquetError.configuration("SMTP_STARTTLS must be one of \(SMTPConfiguration.StartTLS.allCases.map(\.rawValue).joined(separator: ", ")), got '\(startTLSName)'")
        }
        let username = env.optionalString("SMTP_USERNAME")
        let password = env.optionalString("SMTP_PASSWORD")
        if (username == nil) != (password == nil) {
            throw BanquetError.configuration("set both SMTP_USERNAME and SMTP_PASSWORD, or neither")
        }
        let port = try env.int("SMTP_PORT", default: 587)
        let timeout = try env.int("SMTP_TIMEOUT_SECONDS", default: 30)
        guard (1...65535).contains(port) else { throw BanquetError.configuration("SMTP_PORT must be 1–65535, got \(port)") }
        guard timeout > 0 else { throw BanquetError.configuration("SMTP_TIMEOUT_SECONDS must be positive, got \(timeout)") }
        return SMTPConfiguration(host: host, port: port, username: username, password: password, startTLS: startTLS, timeoutSeconds: timeout, heloName: env.optionalString("SMTP_HELO_NAME"))
    }
}

/// Resend's settings; the key is never logged.
public struct ResendConfiguration: Sendable {
    public var apiKey: String
    public var apiURL: URL
    public var timeout: Duration
}

/// The transport the configuration names, for transports that speak HTTP through `http`.
public func makeEmailTransport(configuration: EmailConfiguration, http: any HTTPTransport, logger: Logger) -> any EmailTransport {
    if configuration.transport == .resend, let resend = configuration.resend {
        return ResendTransport(baseURL: resend.apiURL, apiKey: resend.apiKey, timeout: resend.timeout, transport: http)
    }
    return makeEmailTransport(configuration: configuration, logger: logger)
}

/// The transport the configuration names: the daemon's one place that picks real or offline.
public func makeEmailTransport(configuration: EmailConfiguration, logger: Logger) -> any EmailTransport {
    switch (configuration.transport, configuration.smtp) {
    case (.smtp, let smtp?):
        return SMTPTransport(configuration: smtp, logger: logger)
    case (.smtp, nil), (.mailbox, _), (.resend, _):
        if configuration.transport != .mailbox {
            logger.error("BANQUET_EMAIL_TRANSPORT=\(configuration.transport.rawValue) without its settings; writing to the mailbox instead")
        }
        return MailboxTransport(directory: configuration.mailboxDirectory, logger: logger)
    }
}
