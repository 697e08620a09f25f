import Foundation

/// The default (offline) store: a directory on this machine, each object at `<root>/<bucket>/<name>`
/// exactly (the PDF extraction job reads brochures from that path).
///
/// A write goes to a temporary file under `<root>/.staging/` first and is renamed into place:
/// `rename(2)` within one file system is atomic, so a reader or a crash never sees half a file.
/// Staged files that a crash left behind are removed when the store starts.
public struct LocalDirectoryObjectStore: ObjectStore {
    public let root: String
    var stagingDirectory: String { root + "/.staging" }

    public init(root: String) throws {
        self.root = root
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: root + "/.staging", withIntermediateDirectories: true)
        // Anything still staged belongs to an upload that never finished: its transaction never
        // committed, so no row points at it.
        for leftover in (try? fileManager.contentsOfDirectory(atPath: root + "/.staging")) ?? [] {
            try? fileManager.removeItem(atPath: root + "/.staging/" + leftover)
        }
    }

    public var description: String { "local (offline: files under \(root))" }

    func path(bucket: String, key: String) throws -> String {
        try ObjectStoreError.validate(bucket: bucket, key: key)
        return root + "/" + bucket + "/" + key
    }

    public func stage(_ body: [UInt8], bucket: String, key: String, contentType: String, cacheControl: String) async throws -> StagedObject {
        _ = try path(bucket: bucket, key: key)
        let temporary = stagingDirectory + "/" + UUID().uuidString.lowercased()
        guard FileManager.default.createFile(atPath: temporary, contents: Data(body)) else {
            throw ObjectStoreError.backend("cannot write \(temporary)")
        }
        // Written and flushed before the rename makes it visible, so a power loss after the
        // rename cannot leave an empty file under the object's name.
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        return StagedObject(bucket: bucket, key: key, contentType: contentType, cacheControl: cacheControl, size: body.count,
                            holding: .file(path: temporary))
    }

    public func publish(_ staged: StagedObject) async throws {
        guard case .file(let temporary) = staged.holding else { throw ObjectStoreError.backend("not staged by this store") }
        let destination = try path(bucket: staged.bucket, key: staged.key)
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard rename(temporary, destination) == 0 else {
            throw ObjectStoreError.backend("cannot move the upload to \(destination): \(String(cString: strerror(errno)))")
        }
    }

    public func discard(_ staged: StagedObject) async {
        if case .file(let temporary) = staged.holding { unlink(temporary) }
    }

    public func read(bucket: String, key: String) async throws -> [UInt8]? {
        let source = try path(bucket: bucket, key: key)
        guard let data = FileManager.default.contents(atPath: source) else { return nil }
        return [UInt8](data)
    }

    public func delete(bucket: String, key: String) async throws {
        let target = try path(bucket: bucket, key: key)
        if unlink(target) != 0 && errno != ENOENT {
            throw ObjectStoreError.backend("cannot remove \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// Through a staged copy, so the destination too appears whole or not at all.
    public func copy(bucket: String, from source: String, to destination: String) async throws {
        guard let bytes = try await read(bucket: bucket, key: source) else {
            throw ObjectStoreError.backend("no bytes at \(bucket)/\(source)")
        }
        let staged = try await stage(bytes, bucket: bucket, key: destination, contentType: "", cacheControl: "")
        do {
            try await publish(staged)
        } catch {
            await discard(staged)
            throw error
        }
    }
}
