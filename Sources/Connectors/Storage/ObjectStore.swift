import Foundation

/// Where the bytes of `/storage/v1` objects live. The metadata (who may read, size, type) lives
/// in `storage.objects`; a store only keeps bytes under `<bucket>/<name>`.
///
/// Writes are two-phase so the gateway can order them around its database transaction (see
/// `StorageRoutes+Upload`): `stage` puts the bytes somewhere no reader looks, `publish` makes them
/// appear at the key in one atomic step, `discard` drops a staged copy that will not be published.
public protocol ObjectStore: Sendable {
    /// For the start log line: the backend and where it writes, never a credential.
    var description: String { get }

    func stage(_ body: [UInt8], bucket: String, key: String, contentType: String, cacheControl: String) async throws -> StagedObject
    func publish(_ staged: StagedObject) async throws
    func discard(_ staged: StagedObject) async

    /// The bytes at the key, or nil when there are none.
    func read(bucket: String, key: String) async throws -> [UInt8]?
    /// Removes the bytes at the key; removing what is not there succeeds.
    func delete(bucket: String, key: String) async throws
    /// Copies the bytes at `source` to `destination` in the same bucket, replacing what is there.
    func copy(bucket: String, from source: String, to destination: String) async throws
}

/// Bytes written by `stage`, not yet visible at their key.
public struct StagedObject: Sendable {
    public let bucket: String
    public let key: String
    public let contentType: String
    public let cacheControl: String
    public let size: Int
    /// Where a store keeps the staged copy: a temporary file (local directory) or the bytes
    /// themselves (S3, whose PUT is already atomic).
    enum Holding: Sendable {
        case file(path: String)
        case bytes([UInt8])
    }
    let holding: Holding
}

/// Why a store could not do what was asked.
public enum ObjectStoreError: Error, Sendable, CustomStringConvertible {
    /// A key that would leave the store's root (`..`, an absolute path, a NUL byte).
    case invalidKey(String)
    /// The backend refused or failed; the message is safe to log (no credentials).
    case backend(String)

    public var description: String {
        switch self {
        case .invalidKey(let key): "invalid object key: \(key)"
        case .backend(let message): message
        }
    }
}

extension ObjectStoreError {
    /// The checks every backend makes on a key, so a local path and an S3 key obey the same rules:
    /// no empty, `.` or `..` segment, no NUL, and not longer than Storage allows (1024 bytes).
    static func validate(bucket: String, key: String) throws {
        for part in [bucket, key] {
            guard !part.isEmpty, part.utf8.count <= 1024, !part.contains("\0") else { throw ObjectStoreError.invalidKey(key) }
        }
        guard !bucket.contains("/"), bucket != ".", bucket != ".." else { throw ObjectStoreError.invalidKey(bucket) }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else { throw ObjectStoreError.invalidKey(key) }
        }
    }
}
