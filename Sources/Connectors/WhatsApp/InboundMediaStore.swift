import Crypto
import Foundation

/// Where downloaded inbound media goes. `LocalInboundMediaStore` (a directory) is the only
/// implementation until the storage connector lands; then it becomes a bucket in storage.
public protocol InboundMediaStore: Sendable {
    var mode: String { get }
    /// Stores the file under a name derived from `mediaID`; returns where and its digest.
    func store(_ media: WhatsAppMedia, mediaID: String) async throws -> StoredMedia
}

public struct StoredMedia: Sendable, Equatable, Encodable {
    public var path: String
    public var size: Int
    public var sha256: String
    public var mimeType: String

    enum CodingKeys: String, CodingKey { case path, size, sha256, mimeType = "mime_type" }
}

/// Files in `<directory>/<media id>.<extension>`, written to a temporary name and renamed, so a
/// reader never sees half a file. A digest that differs from Meta's refuses the file.
public struct LocalInboundMediaStore: InboundMediaStore {
    public let mode = "local"
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    static let extensions = ["image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf",
                             "audio/ogg": "ogg", "audio/mpeg": "mp3", "video/mp4": "mp4", "text/plain": "txt"]

    public func store(_ media: WhatsAppMedia, mediaID: String) async throws -> StoredMedia {
        let digest = SHA256.hash(data: media.bytes).map { String(format: "%02x", $0) }.joined()
        if let expected = media.sha256?.lowercased(), !expected.isEmpty, expected != digest {
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "media \(mediaID): SHA-256 \(digest) is not Meta's \(expected) (truncated download?)")
        }
        let safeID = String(mediaID.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }.prefix(100))
        guard !safeID.isEmpty else { throw WhatsAppError(kind: .permanent, code: nil, reason: "media id '\(mediaID)' has no usable characters") }
        let name = "\(safeID).\(Self.extensions[media.mimeType.split(separator: ";")[0].lowercased()] ?? "bin")"
        let target = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
            try Data(media.bytes).write(to: temporary)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "media directory \(directory.path) not writable: \(error)")
        }
        return StoredMedia(path: target.path, size: media.bytes.count, sha256: digest, mimeType: media.mimeType)
    }
}
