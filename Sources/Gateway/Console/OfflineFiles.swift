import Foundation

/// A directory the offline connectors write to (the mailbox, an outbox), read for the console.
///
/// A file is only ever opened by a name that was listed from the directory itself and that is a
/// plain name (letters, digits, `-._@`, no leading dot): `..`, a slash, an encoded slash or a
/// hidden temporary file never reach the file system, so no path can escape the directory.
struct OfflineFiles: Sendable {
    let directory: URL
    /// Which listed names count (`.eml`; `.json` but not `.meta.json`).
    let includes: @Sendable (String) -> Bool

    struct Entry: Sendable {
        var name: String
        var modified: Date
    }

    /// Newest first: by modification time, then by name (the mailbox's names begin with their
    /// timestamp).
    func list(limit: Int = 200) -> [Entry] {
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isRegularFileKey]
        guard let urls = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])
        else { return [] }
        let entries = urls.compactMap { url -> Entry? in
            let name = url.lastPathComponent
            guard Self.isPlainName(name), includes(name),
                  let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { return nil }
            return Entry(name: name, modified: values.contentModificationDate ?? .distantPast)
        }
        return Array(entries.sorted { ($0.modified, $0.name) > ($1.modified, $1.name) }.prefix(limit))
    }

    /// The file's text, or nil when `name` is not a listed file of this directory.
    func read(_ name: String, maxBytes: Int = 2 << 20) -> String? {
        guard Self.isPlainName(name), includes(name) else { return nil }
        let url = directory.appendingPathComponent(name, isDirectory: false)
        guard url.deletingLastPathComponent().standardizedFileURL.path == directory.standardizedFileURL.path,
              let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey]),
              values.isRegularFile == true, values.isSymbolicLink != true,
              let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxBytes) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.utf8.count <= 255 else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "." || scalar == "_" || scalar == "@"
        } && !name.contains("..")
    }
}
