import Foundation
import Testing

/// Runs helper processes for the email tests: the aiosmtpd sink and Python's own email parser
/// (an independent reader of what our renderer writes).
enum EmailTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("banquet-email-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Parses an RFC 5322 message with Python's `email` package and returns what it read.
    static func parse(_ raw: Data) throws -> ParsedEmail {
        let script = """
            import json, sys
            from email import policy
            from email.parser import BytesParser
            message = BytesParser(policy=policy.default).parsebytes(sys.stdin.buffer.read())
            def body(kind):
                part = message.get_body((kind,))
                if part is None or part.get_content_type() != "text/" + kind:
                    return None
                # Line ends and one final newline are transport details, not content.
                content = part.get_content().replace("\\r\\n", "\\n")
                return content[:-1] if content.endswith("\\n") else content
            print(json.dumps({
                "subject": str(message["subject"]), "from": str(message["from"]), "to": str(message["to"]),
                "replyTo": str(message["reply-to"]) if message["reply-to"] else None,
                "messageID": str(message["message-id"]), "date": str(message["date"]),
                "contentType": message.get_content_type(), "mimeVersion": str(message["mime-version"]),
                "text": body("plain"), "html": body("html"),
                "defects": [type(d).__name__ for d in message.defects],
                "headers": {k: str(v) for k, v in message.items()},
            }))
            """
        let output = try run("/usr/bin/env", ["python3", "-c", script], input: raw)
        return try JSONDecoder().decode(ParsedEmail.self, from: output)
    }

    struct ParsedEmail: Decodable {
        var subject: String
        var from: String
        var to: String
        var replyTo: String?
        var messageID: String
        var date: String
        var contentType: String
        var mimeVersion: String
        var text: String?
        var html: String?
        var defects: [String]
        var headers: [String: String]
    }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HelperFailed(command: "\(executable) \(arguments.prefix(2).joined(separator: " "))", status: process.terminationStatus) }
        return data
    }

    struct HelperFailed: Error { var command: String; var status: Int32 }
}

/// A real SMTP server (aiosmtpd, `Fixtures/smtp_sink.py`) in a subprocess for one test, with
/// the options these tests need (AUTH mechanisms, STARTTLS, recipient rejection).
final class SMTPTestServer: @unchecked Sendable {
    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var data: String
        var login: String?
        var tls: Bool
    }

    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe

    /// Starts the sink; `arguments` as `smtp_sink.py` takes them (`--user`, `--reject`, …).
    init(_ arguments: [String] = []) throws {
        directory = try EmailTestSupport.temporaryDirectory()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", EmailTestSupport.fixtures.appendingPathComponent("smtp_sink.py").path, "--dir", directory.path] + arguments
        let stdout = Pipe()
        stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        // The sink prints "READY <port>" once it listens.
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.first == "READY", words.count == 2, let port = Int(words[1]) else {
            process.terminate()
            throw EmailTestSupport.HelperFailed(command: "smtp_sink.py (is aiosmtpd installed? pip install aiosmtpd)", status: -1)
        }
        self.port = port
    }

    /// Every message the sink accepted, in order.
    func received() throws -> [Received] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
