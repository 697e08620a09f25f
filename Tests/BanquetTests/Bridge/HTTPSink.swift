import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The local HTTP sink (bench/bridge/banquet_sink.py) in a subprocess: counts every side-effect
/// attempt by Idempotency-Key and records arrival times, so tests measure what a provider saw.
final class HTTPSink: Sendable {
    let process: Process
    let port: Int
    private let lifeline: Pipe

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.repositoryRoot.appendingPathComponent("bench/bridge/banquet_sink.py").path, "0", "--watch-stdin"]
        let output = Pipe()
        process.standardOutput = output
        // The sink exits when this pipe closes, i.e. when the test process ends, and never holds
        // the test runner's stderr open.
        let lifeline = Pipe()
        process.standardInput = lifeline
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The sink prints "PORT <n>" once it is listening.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8), text.hasPrefix("PORT "),
              let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw SinkError.didNotStart
        }
        self.process = process
        self.port = port
        self.lifeline = lifeline
    }

    enum SinkError: Error { case didNotStart, badResponse }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// A JSON payload for an `http.post` job against this sink.
    func payload(_ path: String = "/ok", body: String = "{}", rateKey: String? = nil) -> String {
        let key = rateKey.map { ",\"rate_key\":\"\($0)\"" } ?? ""
        return "{\"url\":\"\(baseURL)\(path)\",\"body\":\(body)\(key)}"
    }

    struct Stats: Decodable {
        var total: Int
        var keys: [String: Int]
        /// The most POSTs the sink held open at once.
        var peakInFlight: Int

        enum CodingKeys: String, CodingKey {
            case total, keys
            case peakInFlight = "peak_in_flight"
        }
    }

    func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await get("/stats"))
    }

    /// Arrivals: (epoch seconds, idempotency key).
    func arrivals() async throws -> [(time: Double, key: String)] {
        let rows = try JSONSerialization.jsonObject(with: try await get("/log")) as? [[Any]] ?? []
        return rows.compactMap { row in
            guard row.count >= 2, let time = row[0] as? Double, let key = row[1] as? String else { return nil }
            return (time, key)
        }
    }

    private func get(_ path: String) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(from: URL(string: baseURL + path)!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw SinkError.badResponse }
        return data
    }
}
