import Foundation
import Logging

/// The offline default: each message becomes an RFC 5322 `.eml` file in a local directory
/// (`<BANQUET_DATA_DIR>/mailbox`) instead of being delivered. Nothing leaves the machine.
///
/// File names sort by time: `20261121T202200.123Z_<message-id>.eml`. Files are written to a
/// hidden temporary name and renamed, so a reader never sees half a message. Sending a message
/// whose `Message-ID` is already in the mailbox (a retried job) writes nothing new.
public struct MailboxTransport: EmailTransport {
    public var directory: URL
    var logger: Logger

    public init(directory: URL, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func send(_ message: EmailMessage) async throws -> EmailReceipt {
        let rendered = try MIMERenderer.render(message)
        let receipt = EmailReceipt(providerMessageID: rendered.messageID, transport: "mailbox")
        let idPart = "\(Self.fileNameComponent(rendered.messageID)).eml"
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let existing = try FileManager.default.contentsOfDirectory(atPath: directory.path).first(where: { $0.split(separator: "_", maxSplits: 1).last == Substring(idPart) }) {
                logger.debug("message already in mailbox", metadata: ["file": "\(existing)"])
                return receipt
            }
            let fileName = Self.timestamp(rendered.date) + "_" + idPart
            let temporary = directory.appendingPathComponent(".\(fileName).tmp")
            try Data(rendered.data.utf8).write(to: temporary)
            try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(fileName))
            // Guests' addresses are personal data: the log names the file (which holds them), not them.
            logger.info("email written to mailbox (not delivered)", metadata: ["file": "\(fileName)", "recipients": "\(rendered.envelopeTo.count)"])
        } catch {
            throw EmailError.mailboxWrite(path: directory.path, reason: "\(error)")
        }
        return receipt
    }

    /// `<job-42@banquet.local>` → `job-42@banquet.local`, safe in a file name.
    static func fileNameComponent(_ messageID: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._@"))
        return String(messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).unicodeScalars.map { allowed.contains($0) ? Character($0) : "_" })
    }

    /// `20261129T061500.123Z`: sorts in arrival order and is safe in a file name.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted, includingFractionalSeconds: true))
    }
}
