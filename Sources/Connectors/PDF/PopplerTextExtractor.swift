import Foundation

/// `pdfinfo` (pages, encryption, whether the file parses) then `pdftotext -layout` (columns kept
/// where they are on the page, which the menu parser relies on), each under a timeout, with the
/// size and page caps applied before any text is extracted.
public struct PopplerTextExtractor: PDFTextExtractor {
    public let limits: PDFLimits
    public let pdfinfo: String
    public let pdftotext: String

    public init(limits: PDFLimits = PDFLimits(), pdfinfo: String = "pdfinfo", pdftotext: String = "pdftotext") {
        self.limits = limits
        self.pdfinfo = pdfinfo
        self.pdftotext = pdftotext
    }

    /// Fewer visible characters than this on every page together: no text layer worth reading.
    static let minimumText = 20

    public func text(ofPDFAt path: String) async throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        if size > limits.maxBytes {
            throw PDFUnreadable.oversized("the PDF is \(size / 1024) KiB; the limit is \(limits.maxBytes / 1024) KiB")
        }
        let head = FileHandle(forReadingAtPath: path).map { handle in
            defer { try? handle.close() }
            return handle.readData(ofLength: 1024)
        } ?? Data()
        guard head.range(of: Data("%PDF-".utf8)) != nil else { throw PDFUnreadable.corrupt("no %PDF- header") }

        let info = try await ToolRun.run(pdfinfo, [path], timeout: limits.timeout)
        if info.status != 0 {
            let message = info.stderr.lowercased()
            if message.contains("incorrect password") || message.contains("encrypted") { throw PDFUnreadable.encrypted }
            throw PDFUnreadable.corrupt(String(info.stderr.split(separator: "\n").last ?? "pdfinfo failed"))
        }
        let fields = Dictionary(info.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { first, _ in first })
        if let encrypted = fields["Encrypted"], encrypted.hasPrefix("yes"), encrypted.contains("copy:no") {
            throw PDFUnreadable.encrypted
        }
        let pages = Int(fields["Pages"] ?? "") ?? 0
        if pages > limits.maxPages {
            throw PDFUnreadable.oversized("the PDF has \(pages) pages; the limit is \(limits.maxPages)")
        }

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("banquet-pdf-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try await ToolRun.run(pdftotext, ["-layout", "-enc", "UTF-8", "-l", String(limits.maxPages), path, output], timeout: limits.timeout)
        if run.status != 0 {
            if run.stderr.lowercased().contains("incorrect password") { throw PDFUnreadable.encrypted }
            throw PDFUnreadable.corrupt(String(run.stderr.split(separator: "\n").first ?? "pdftotext failed"))
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        if text.filter({ !$0.isWhitespace }).count < Self.minimumText { throw PDFUnreadable.scanned }
        return text
    }
}

/// Runs a command-line tool with its output in files (a pipe that nobody drains can block a
/// chatty tool) and kills it at the timeout.
enum ToolRun {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ tool: String, _ arguments: [String], timeout: Duration) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("banquet-tool-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("banquet-tool-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw Failure(description: "cannot create temporary files in \(directory.path)")
        }
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "\(tool) could not start: \(error) (install poppler-utils)"))
                return
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if process.isRunning { process.terminate() }
            }
        }
        if process.terminationReason == .uncaughtSignal {
            throw Failure(description: "\(tool) did not finish within \(timeout)")
        }
        if status == 127 { throw Failure(description: "\(tool) not found (install poppler-utils)") }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Result(status: status, stdout: stdout, stderr: stderr)
    }
}
