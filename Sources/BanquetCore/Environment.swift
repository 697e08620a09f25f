import Foundation

/// Typed reads of environment variables with defaults; `.env.example` documents every name.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String, default value: String) -> String {
        guard let raw = values[name], !raw.isEmpty else { return value }
        return raw
    }

    public func optionalString(_ name: String) -> String? {
        guard let raw = values[name], !raw.isEmpty else { return nil }
        return raw
    }

    public func int(_ name: String, default value: Int) throws -> Int {
        guard let raw = values[name], !raw.isEmpty else { return value }
        guard let parsed = Int(raw) else { throw BanquetError.configuration("\(name) must be an integer, got '\(raw)'") }
        return parsed
    }

    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = values[name]?.lowercased(), !raw.isEmpty else { return value }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw BanquetError.configuration("\(name) must be true or false, got '\(raw)'")
        }
    }

    /// The repository's local data directory (cluster, mailbox, storage), absolute.
    public var dataDirectory: String {
        let raw = string("BANQUET_DATA_DIR", default: ".data")
        return raw.hasPrefix("/") ? raw : FileManager.default.currentDirectoryPath + "/" + raw
    }

    public func databaseURL() throws -> DatabaseURL {
        try DatabaseURL(string("DATABASE_URL", default: "postgres://postgres@127.0.0.1:54329/banquet"))
    }
}
