import Foundation

/// A real SMTP server (aiosmtpd, from PyPI) run as a subprocess for the duration of a test.
final class SMTPSink: @unchecked Sendable {
    let process: Process
    let port: Int
    let spoolDirectory: URL

    private init(process: Process, port: Int, spoolDirectory: URL) {
        self.process = process
        self.port = port
        self.spoolDirectory = spoolDirectory
    }

    /// Starts the server; `auth` as "user:password" makes AUTH mandatory, `rejectRecipients`
    /// answers 550 to those RCPT TO addresses.
    static func start(spoolDirectory: URL, auth: String? = nil, rejectRecipients: [String] = []) async throws -> SMTPSink {
        let script = Paths.repositoryRoot.appendingPathComponent("Tests/BanquetTests/Support/smtp_sink.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script.path, spoolDirectory.path]
        if let auth { arguments += ["--auth", auth] }
        for address in rejectRecipients { arguments += ["--reject-rcpt", address] }
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = Pipe()  // kept open: the sink exits when it closes
        try process.run()

        let handle = stdout.fileHandleForReading
        let line: String = try await Task.detached {
            var buffer = Data()
            while !buffer.contains(0x0A) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            return String(decoding: buffer, as: UTF8.self)
        }.value
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SinkError.didNotStart(output: line)
        }
        return SMTPSink(process: process, port: port, spoolDirectory: spoolDirectory)
    }

    /// Every message received so far (raw RFC 5322 text with X-Envelope-* headers), oldest first.
    func receivedMessages() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(at: spoolDirectory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "eml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    enum SinkError: Error { case didNotStart(output: String) }
}
