import Crypto
import Foundation

/// Where downloaded inbound WhatsApp media goes: the private `message-media` bucket of the
/// daemon's one `ObjectStore` (local directory or S3, `BANQUET_STORAGE_BACKEND`), at
/// `<organization id>/<conversation id>/<wamid or media id>.<ext>`. The bytes are written here;
/// the `storage.objects` row that makes them readable through `/storage/v1` is the job's
/// write-back (`app.whatsapp_media_writeback`), so until it commits nobody can read them.
public struct InboundMediaStorage: Sendable {
    public static let bucket = "message-media"
    /// The bucket's `file_size_limit` (25 MiB, migration 20261129005100): the largest file the
    /// daemon downloads. The media transport's response cap is the same number.
    public static let maxBytes = 25 << 20
    /// Storage's default for an upload without one (`UploadedFile.cacheControl`).
    static let cacheControl = "max-age=3600"

    public let store: any ObjectStore

    public init(store: any ObjectStore) {
        self.store = store
    }

    /// For the log line: the backend, never a credential.
    public var mode: String { store.description }

    static let extensions = [
        "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf", "text/plain": "txt",
        "application/msword": "doc", "application/vnd.ms-excel": "xls", "application/vnd.ms-powerpoint": "ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
        "audio/aac": "aac", "audio/amr": "amr", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/ogg": "ogg",
        "video/mp4": "mp4", "video/3gpp": "3gp",
    ]

    /// The object key; nil when a part cannot make a safe key. The folders are the ids RLS reads
    /// (lowercase uuids, as PostgreSQL prints them); the file name keeps only characters that are
    /// safe in a path and an S3 key (a wamid is base64, so `/` and `+` go).
    public static func key(organizationID: String, conversationID: String, name: String, mimeType: String) -> String? {
        guard let organization = UUID(uuidString: organizationID), let conversation = UUID(uuidString: conversationID) else { return nil }
        let safeName = String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }.prefix(200))
        guard !safeName.isEmpty, safeName.first != "." else { return nil }
        let type = mimeType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return "\(organization.uuidString.lowercased())/\(conversation.uuidString.lowercased())/\(safeName).\(extensions[type] ?? "bin")"
    }

    /// Checks Meta's digest, then writes the bytes at `key` (staged, then published in one step,
    /// so a reader never sees half a file; a retry replaces the same key).
    public func store(_ media: WhatsAppMedia, key: String) async throws -> StoredMedia {
        let digest = SHA256.hash(data: media.bytes).map { String(format: "%02x", $0) }.joined()
        if let expected = media.sha256?.lowercased(), !expected.isEmpty, expected != digest {
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "media \(key): SHA-256 \(digest) is not Meta's \(expected) (truncated download?)")
        }
        let mimeType = media.mimeType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? media.mimeType
        do {
            let staged = try await store.stage(media.bytes, bucket: Self.bucket, key: key, contentType: mimeType, cacheControl: Self.cacheControl)
            do {
                try await store.publish(staged)
            } catch {
                await store.discard(staged)
                throw error
            }
        } catch let error as ObjectStoreError {
            if case .invalidKey = error { throw WhatsAppError(kind: .permanent, code: nil, reason: "media \(error)") }
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "media \(key) not stored (\(mode)): \(error)")
        } catch {
            // A directory that cannot be created, a dropped connection: worth another attempt.
            throw WhatsAppError(kind: .retryable(retryAfter: nil), code: nil, reason: "media \(key) not stored (\(mode)): \(error)")
        }
        // The ETag Storage reports for an object: the quoted MD5 of its bytes (S3's, for a single PUT).
        let eTag = "\"" + Insecure.MD5.hash(data: media.bytes).map { String(format: "%02x", $0) }.joined() + "\""
        return StoredMedia(bucket: Self.bucket, path: key, size: media.bytes.count, sha256: digest, mimeType: mimeType,
                           eTag: eTag, cacheControl: Self.cacheControl)
    }
}

/// The write-back's `p_result`: where the file is and what `storage.objects.metadata` records.
public struct StoredMedia: Sendable, Equatable, Encodable {
    public var bucket: String
    public var path: String
    public var size: Int
    public var sha256: String
    public var mimeType: String
    public var eTag: String
    public var cacheControl: String

    enum CodingKeys: String, CodingKey {
        case bucket, path, size, sha256, mimeType = "mime_type", eTag = "etag", cacheControl = "cache_control"
    }
}
