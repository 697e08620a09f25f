import Crypto
import Foundation

/// A SQL file read from disk: its statements and the checksum that pins its content.
public struct SQLFile: Sendable, Equatable {
    /// The path as shown to people (the directory as given, plus the file name).
    public var displayPath: String
    public var fileName: String
    public var statements: [SQLStatement]
    /// Lowercase hex SHA-256 of the file's bytes.
    public var checksum: String

    public init(displayPath: String, fileName: String, content: Data) throws(MigrationError) {
        self.displayPath = displayPath
        self.fileName = fileName
        self.checksum = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        guard let text = String(data: content, encoding: .utf8) else {
            throw .unreadableFile(path: displayPath, reason: "not valid UTF-8")
        }
        do {
            self.statements = try SQLScript.split(text)
        } catch {
            throw .syntax(path: displayPath, line: error.line, message: error.message)
        }
    }

    /// Reads `directory/fileName`; `displayDirectory` is how the directory is shown in messages.
    static func read(fileName: String, in directory: URL, displayDirectory: String) throws(MigrationError) -> SQLFile {
        let displayPath = displayDirectory.hasSuffix("/") ? displayDirectory + fileName : displayDirectory + "/" + fileName
        let content: Data
        do {
            content = try Data(contentsOf: directory.appendingPathComponent(fileName))
        } catch {
            throw .unreadableFile(path: displayPath, reason: error.localizedDescription)
        }
        return try SQLFile(displayPath: displayPath, fileName: fileName, content: content)
    }

    /// The visible regular files of a directory, sorted by name (byte order, as `ls` in the C locale).
    static func fileNames(in directory: URL, displayDirectory: String) throws(MigrationError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadableFile(path: displayDirectory, reason: "no such directory (run from the repository root, or pass the directory)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadableFile(path: displayDirectory, reason: error.localizedDescription)
        }
        return names
            .filter { !$0.hasPrefix(".") }
            .filter { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
