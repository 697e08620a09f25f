import Logging
import NIOCore
import NIOSSL

/// One SMTP dialogue on an open connection: send a command, read its reply within the timeout.
struct SMTPConversation {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let timeoutSeconds: Int
    let logger: Logger

    /// Raised into the pipeline when a reply is overdue; it ends the inbound stream with this error.
    struct ReplyTimeout: Error {}

    /// Sends `line` and reads the reply, which must have one of the `expecting` codes (any code
    /// when empty). `logAs` replaces the line in logs and errors (credentials).
    @discardableResult
    mutating func command(_ line: String, logAs: String? = nil, expecting codes: Int...) async throws(EmailError) -> SMTPReply {
        let shown = logAs ?? line
        logger.trace("SMTP >>> \(shown)")
        do {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
        } catch {
            throw .connectionLost(during: Self.verb(shown), reason: "\(error)")
        }
        let reply = try await read(during: Self.verb(shown))
        try Self.check(reply, codes, command: line.hasPrefix("RCPT") ? shown : Self.verb(shown))
        return reply
    }

    /// Sends the (already dot-stuffed) message content and reads the final reply.
    mutating func sendData(_ content: String) async throws(EmailError) {
        do {
            try await outbound.write(ByteBuffer(string: content))
        } catch {
            throw .connectionLost(during: "DATA", reason: "\(error)")
        }
        try Self.check(await read(during: "end of DATA"), [250], command: "end of DATA")
    }

    @discardableResult
    mutating func read(during step: String, expecting codes: Int...) async throws(EmailError) -> SMTPReply {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeoutSeconds))) {
            channel.pipeline.fireErrorCaught(ReplyTimeout())
        }
        defer { timer.cancel() }
        do {
            guard let reply = try await replies.next() else {
                throw EmailError.connectionLost(during: step, reason: "the server closed the connection")
            }
            logger.trace("SMTP <<< \(reply)")
            try Self.check(reply, codes, command: step)
            return reply
        } catch let error as EmailError {
            throw error
        } catch is ReplyTimeout {
            throw .timedOut(during: step, seconds: timeoutSeconds)
        } catch {
            throw .connectionLost(during: step, reason: "\(error)")
        }
    }

    /// Throws `.rejected` unless the reply has one of the expected codes (or none are expected).
    static func check(_ reply: SMTPReply, _ codes: [Int], command: String) throws(EmailError) {
        guard codes.isEmpty || codes.contains(reply.code) else { throw .rejected(command: command, reply: reply) }
    }

    /// Puts TLS in front of the reply decoder; everything after this is encrypted.
    func startTLS(configuration: TLSConfiguration, serverHostname: String) async throws(EmailError) {
        do {
            let context = try NIOSSLContext(configuration: configuration)
            // SNI takes a host name, never an IP literal.
            let sni = (try? SocketAddress(ipAddress: serverHostname, port: 0)) == nil ? serverHostname : nil
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni), position: .first)
            }.get()
        } catch {
            throw .connectionLost(during: "STARTTLS", reason: "\(error)")
        }
    }

    /// `MAIL FROM:<a@b>` → `MAIL FROM`, for messages.
    static func verb(_ line: String) -> String {
        if let colon = line.firstIndex(of: ":") { return String(line[..<colon]) }
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }
}
