import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `banquet serve` process for end-to-end tests.
///
/// It binds an ephemeral HTTP port (`BANQUET_HTTP_PORT=0`) and logs JSON; `start` waits for the
/// "banquet serving" line to learn the URL, then for `/health/all` to answer 200.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let logFile: URL
    private(set) var baseURL: URL?

    init(databaseURL: String, environment extra: [String: String] = [:], dataDirectory: URL) throws {
        logFile = dataDirectory.appendingPathComponent("daemon-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = databaseURL
        env["BANQUET_HTTP_PORT"] = "0"
        env["BANQUET_DATA_DIR"] = dataDirectory.path
        env["BANQUET_LOG_FORMAT"] = "json"
        env["BANQUET_POLL_INTERVAL_MS"] = env["BANQUET_POLL_INTERVAL_MS"] ?? "500"
        for (key, value) in extra { env[key] = value }
        process.executableURL = Paths.banquetBinary
        process.arguments = ["serve"]
        process.environment = env
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
    }

    /// Starts the daemon and waits until it serves `/health/all` with 200.
    func start(timeout: Duration = .seconds(30)) async throws {
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw DaemonError.exited(status: process.terminationStatus, log: log()) }
            if baseURL == nil, let url = servingURL() { baseURL = url }
            if let baseURL, let (status, _) = try? await httpGet(baseURL.appendingPathComponent("health/all")), status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonError.notHealthy(log: log())
    }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Resident set size now (VmRSS), in bytes, read from /proc.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw DaemonError.notHealthy(log: "no VmRSS in /proc/\(process.processIdentifier)/status") }
        return kilobytes * 1024
    }

    private func servingURL() -> URL? {
        for line in log().split(separator: "\n") where line.contains("banquet serving") {
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let url = object["url"] as? String else { continue }
            return URL(string: url)
        }
        return nil
    }

    /// SIGTERM and wait for a graceful exit; returns the exit status.
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    deinit { kill9() }

    enum DaemonError: Error, CustomStringConvertible {
        case exited(status: Int32, log: String)
        case notHealthy(log: String)
        var description: String {
            switch self {
            case .exited(let status, let log): return "banquet serve exited with \(status):\n\(log)"
            case .notHealthy(let log): return "banquet serve did not become healthy:\n\(log)"
            }
        }
    }
}

/// GET returning (status, body).
func httpGet(_ url: URL) async throws -> (Int, Data) {
    var request = URLRequest(url: url)
    request.timeoutInterval = 5
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

/// A fresh temporary directory, removed by the caller when done.
func makeTemporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("banquet-\(label)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
