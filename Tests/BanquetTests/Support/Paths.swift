import Foundation

/// Where the repository and the built `banquet` binary are, for tests that run the real daemon.
enum Paths {
    static let repositoryRoot: URL = {
        // Tests/BanquetTests/Support/Paths.swift → repository root is three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `BANQUET_BIN` (set by the Makefile) or the debug build.
    static var banquetBinary: URL {
        if let explicit = ProcessInfo.processInfo.environment["BANQUET_BIN"] { return URL(fileURLWithPath: explicit) }
        return repositoryRoot.appendingPathComponent(".build/debug/banquet")
    }
}
