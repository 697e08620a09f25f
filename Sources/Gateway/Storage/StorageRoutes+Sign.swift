import Foundation
import Hummingbird
import PostgresNIO

extension StorageRoutes {
    /// Banquet's cap on a signed URL's life (Storage sets none): a leaked URL stops working
    /// within a year even if nobody rotates the JWT secret.
    static let maximumSignedURLLifetime = 365 * 24 * 3600

    func expiresIn(_ options: [String: Any]) throws -> Int {
        guard let seconds = Self.integer(options["expiresIn"]), seconds >= 1, seconds <= Self.maximumSignedURLLifetime else {
            throw StorageError.invalidRequest("body must have property 'expiresIn': seconds, 1 to \(Self.maximumSignedURLLifetime)")
        }
        return seconds
    }

    /// `POST /object/sign/<bucket>/<name>` `{expiresIn}` → `{signedURL: "/object/sign/…?token=…"}`,
    /// relative to `/storage/v1` as Storage answers. The caller must be able to read the object.
    func sign(_ request: Request, _ path: ObjectPath) async throws -> Response {
        let identity = try await identify(request)
        let options = try StorageJSON.object(try await request.body.collect(upTo: 64 * 1024))
        let seconds = try expiresIn(options)
        guard try await objectRecord(request, path, as: identity) != nil else { throw StorageError.objectNotFound }
        let token = try await api.issuer.signObjectURL(bucket: path.bucket, name: path.name, expiresIn: seconds)
        return StorageJSON.response(["signedURL": "/object/sign/\(path.urlPath)?token=\(token)"])
    }

    /// `POST /object/sign/<bucket>` `{expiresIn, paths}` → `[{error, path, signedURL}]`; a path the
    /// caller cannot read gets Storage's error text and a null URL.
    func signMany(_ request: Request, bucket: String) async throws -> Response {
        let identity = try await identify(request)
        let options = try StorageJSON.object(try await request.body.collect(upTo: 1 << 20))
        let seconds = try expiresIn(options)
        guard let paths = options["paths"] as? [String], paths.count <= 1000 else {
            throw StorageError.invalidRequest("body must have property 'paths': up to 1000 object names")
        }
        let visible: Set<String> = try await transaction(request, as: identity) { connection in
            let rows = try await connection.query("""
                select o.name from storage.objects o where o.bucket_id = \(bucket) and o.name = any(\(paths))
                """, logger: api.logger)
            var names = Set<String>()
            for try await name in rows.decode(String.self) { names.insert(name) }
            return names
        }
        var answers: [[String: Any]] = []
        for name in paths {
            if visible.contains(name), let path = try? ObjectPath([bucket] + name.split(separator: "/").map(String.init)) {
                let token = try await api.issuer.signObjectURL(bucket: bucket, name: name, expiresIn: seconds)
                answers.append(["error": NSNull(), "path": name, "signedURL": "/object/sign/\(path.urlPath)?token=\(token)"])
            } else {
                answers.append(["error": "Either the object does not exist or you do not have access to it", "path": name, "signedURL": NSNull()])
            }
        }
        return StorageJSON.response(answers)
    }
}
