import NIOCore

/// Frames the server's byte stream into replies: `250-first`, `250-second`, `250 last` → one
/// `SMTPReply(code: 250, lines: ["first", "second", "last"])` (RFC 5321 §4.2.1).
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// No legitimate reply line is this long; a peer that sends one is not an SMTP server.
    static let maximumLineLength = 16 * 1024

    private var lines: [String] = []

    struct MalformedReply: Error, CustomStringConvertible {
        var line: String
        var description: String { "malformed SMTP reply line '\(line.prefix(80))'" }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw MalformedReply(line: String(buffer: buffer)) }
            return .needMoreData
        }
        var line = buffer.readString(length: newline - buffer.readerIndex + 1) ?? ""
        while line.hasSuffix("\n") || line.hasSuffix("\r") || line.hasSuffix("\r\n") { line.removeLast() }
        let codeText = line.prefix(3)
        guard codeText.count == 3, let code = Int(codeText), (200..<600).contains(code) else { throw MalformedReply(line: line) }
        let separator = line.dropFirst(3).first
        lines.append(String(line.dropFirst(4)))
        if separator == "-" { return .continue }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: lines)))
        lines = []
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }
}
