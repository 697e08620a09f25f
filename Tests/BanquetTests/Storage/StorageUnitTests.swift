import Connectors
import Foundation
@testable import Gateway
import Testing

@Suite("Local directory object store")
struct LocalDirectoryObjectStoreTests {
    func temporaryRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("banquet-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test("staged bytes are invisible at the key until published, then sit at <root>/<bucket>/<name> exactly")
    func stageThenPublish() async throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try LocalDirectoryObjectStore(root: root)
        let staged = try await store.stage(Array("menu".utf8), bucket: "venue-brochures", key: "org/venue/menu.pdf", contentType: "application/pdf", cacheControl: "max-age=3600")
        #expect(try await store.read(bucket: "venue-brochures", key: "org/venue/menu.pdf") == nil)
        try await store.publish(staged)
        #expect(FileManager.default.contents(atPath: root + "/venue-brochures/org/venue/menu.pdf") == Data("menu".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.staging").isEmpty)
    }

    @Test("a staged file left by a crash is swept when the store starts")
    func sweepsLeftovers() async throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try await LocalDirectoryObjectStore(root: root).stage([1, 2, 3], bucket: "logos", key: "org/a.png", contentType: "image/png", cacheControl: "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.staging").count == 1)
        _ = try LocalDirectoryObjectStore(root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.staging").isEmpty)
    }

    @Test("keys that would leave the root are refused", arguments: ["../etc/passwd", "org/../../x", "org//x", "/abs", "org/./x"])
    func refusesEscapes(key: String) async throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try LocalDirectoryObjectStore(root: root)
        await #expect(throws: ObjectStoreError.self) {
            _ = try await store.stage([1], bucket: "logos", key: key, contentType: "image/png", cacheControl: "")
        }
    }
}

@Suite("Storage request parsing")
struct StorageParsingTests {
    @Test("a multipart body as httpx (storage3) sends it: the file part with its type, and the cacheControl field")
    func multipart() throws {
        let boundary = "b7c1e2d3"
        let file: [UInt8] = [0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]  // %PDF\r\n--\0ÿ: CRLF and dashes inside
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"cacheControl\"\r\n\r\n60\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"menu.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += file + Array("\r\n--\(boundary)--\r\n".utf8)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\(boundary)") == boundary)
        let form = try MultipartForm(body: body, boundary: boundary)
        #expect(form.text(named: "cacheControl") == "60")
        let part = try #require(form.part(named: "file"))
        #expect(Array(part.body) == file)
        #expect(part.filename == "menu.pdf" && part.contentType == "application/pdf")
    }

    @Test("a truncated multipart body is a client error, not a crash")
    func truncated() {
        #expect(throws: StorageError.self) {
            _ = try MultipartForm(body: Array("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc".utf8), boundary: "b")
        }
    }

    @Test("MIME types as Storage checks them: exact, type/*, parameters ignored")
    func mimeTypes() {
        let images = BucketSettings(isPublic: true, fileSizeLimit: nil, allowedMimeTypes: ["image/png", "video/*"], largestFileSizeLimit: nil)
        #expect(images.allows(mimeType: "image/png"))
        #expect(images.allows(mimeType: "IMAGE/PNG; charset=binary"))
        #expect(images.allows(mimeType: "video/mp4"))
        #expect(!images.allows(mimeType: "image/gif"))
        #expect(!images.allows(mimeType: "text/plain;charset=UTF-8"))
        #expect(!images.allows(mimeType: "png"))
    }
}
