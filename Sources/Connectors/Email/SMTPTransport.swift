import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Real delivery over SMTP (RFC 5321): EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL FROM, RCPT TO,
/// DATA, QUIT on one connection per message.
public struct SMTPTransport: EmailTransport {
    public var configuration: SMTPConfiguration
    var logger: Logger
    let eventLoopGroup: any EventLoopGroup

    public init(configuration: SMTPConfiguration, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    public func send(_ message: EmailMessage) async throws -> EmailReceipt {
        let rendered = try MIMERenderer.render(message)
        let channel = try await connect()
        do {
            try await channel.executeThenClose { inbound, outbound in
                var conversation = SMTPConversation(channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound, timeoutSeconds: configuration.timeoutSeconds, logger: logger)
                try await deliver(rendered, over: &conversation)
            }
        } catch let error as EmailError {
            throw error
        } catch {
            throw EmailError.connectionLost(during: "SMTP session", reason: "\(error)")
        }
        logger.info("email accepted by SMTP server", metadata: ["message_id": "\(rendered.messageID)", "host": "\(configuration.host)"])
        return EmailReceipt(providerMessageID: rendered.messageID, transport: "smtp")
    }

    private func connect() async throws(EmailError) -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.seconds(Int64(configuration.timeoutSeconds)))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .connectionFailed(host: configuration.host, port: configuration.port, reason: Self.describeConnectError(error))
        }
    }

    private func deliver(_ rendered: RenderedEmail, over conversation: inout SMTPConversation) async throws(EmailError) {
        // 1. Greeting and EHLO.
        try await conversation.read(during: "greeting", expecting: 220)
        let heloName = configuration.heloName ?? String(rendered.envelopeFrom.split(separator: "@").last ?? "localhost")
        var extensions = try await ehlo(heloName, over: &conversation)

        // 2. STARTTLS, then EHLO again: the pre-TLS capabilities must be forgotten.
        switch (configuration.startTLS, extensions.offersStartTLS) {
        case (.never, _):
            break
        case (.ifAvailable, false):
            logger.warning("SMTP server offers no STARTTLS; continuing without TLS", metadata: ["host": "\(configuration.host)"])
        case (.required, false):
            throw .unsupported("SMTP server \(configuration.host):\(configuration.port) does not offer STARTTLS, and SMTP_STARTTLS=required")
        case (_, true):
            try await conversation.command("STARTTLS", expecting: 220)
            try await conversation.startTLS(configuration: configuration.tls, serverHostname: configuration.host)
            extensions = try await ehlo(heloName, over: &conversation)
        }

        // 3. AUTH, when credentials are configured.
        if let username = configuration.username {
            try await authenticate(username: username, password: configuration.password ?? "", mechanisms: extensions.authMechanisms, over: &conversation)
        }

        // 4. Envelope and content.
        try await conversation.command("MAIL FROM:<\(rendered.envelopeFrom)>", expecting: 250)
        for recipient in rendered.envelopeTo {
            try await conversation.command("RCPT TO:<\(recipient)>", expecting: 250, 251)
        }
        try await conversation.command("DATA", expecting: 354)
        try await conversation.sendData(Self.dotStuffed(rendered.data))

        // 5. QUIT politely; the message is already accepted, so a failure here changes nothing.
        _ = try? await conversation.command("QUIT")
    }

    private func ehlo(_ name: String, over conversation: inout SMTPConversation) async throws(EmailError) -> SMTPExtensions {
        let reply = try await conversation.command("EHLO \(name)", expecting: 250)
        return SMTPExtensions(ehloReply: reply)
    }

    private func authenticate(username: String, password: String, mechanisms: Set<String>, over conversation: inout SMTPConversation) async throws(EmailError) {
        if mechanisms.contains("PLAIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try await conversation.command("AUTH PLAIN \(token)", logAs: "AUTH PLAIN <credentials>", expecting: 235)
        } else if mechanisms.contains("LOGIN") {
            try await conversation.command("AUTH LOGIN", expecting: 334)
            try await conversation.command(Data(username.utf8).base64EncodedString(), logAs: "AUTH LOGIN <username>", expecting: 334)
            try await conversation.command(Data(password.utf8).base64EncodedString(), logAs: "AUTH LOGIN <password>", expecting: 235)
        } else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.sorted().joined(separator: " ")
            throw .unsupported("SMTP credentials are configured but \(configuration.host) offers no AUTH PLAIN or LOGIN (offered: \(offered))" + (configuration.startTLS == .never ? "; servers often offer AUTH only after STARTTLS" : ""))
        }
    }

    /// RFC 5321 §4.5.2: a line starting with "." gets another "."; the content ends with CRLF . CRLF.
    static func dotStuffed(_ data: String) -> String {
        var lines = data.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    static func describeConnectError(_ error: any Error) -> String {
        if let connectionError = error as? NIOConnectionError {
            let reasons = connectionError.connectionErrors.map { "\($0.target): \($0.error)" }
            return reasons.isEmpty ? (connectionError.dnsAAAAError ?? connectionError.dnsAError).map { "DNS: \($0)" } ?? "\(error)" : reasons.joined(separator: "; ")
        }
        return "\(error)"
    }
}

/// The capabilities an EHLO reply advertises.
struct SMTPExtensions {
    var keywords: Set<String> = []
    var authMechanisms: Set<String> = []

    init(ehloReply: SMTPReply) {
        // The first line is the server's greeting; each later line is one extension.
        for line in ehloReply.lines.dropFirst() {
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first else { continue }
            keywords.insert(keyword)
            if keyword == "AUTH" { authMechanisms.formUnion(words.dropFirst()) }
        }
    }

    var offersStartTLS: Bool { keywords.contains("STARTTLS") }
}
