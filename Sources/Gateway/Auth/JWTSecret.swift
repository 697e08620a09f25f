import BanquetCore
import Crypto
import Foundation

/// Where the HS256 secret that signs every token comes from.
///
/// `BANQUET_JWT_SECRET` wins (production: the Supabase project's JWT secret, from a secret
/// manager). Otherwise a fresh machine generates one, once, into `<data dir>/jwt-secret` (mode
/// 0600), so `make run` needs no setup and its printed keys stay valid across restarts.
public enum JWTSecret {
    public static let minimumLength = 32

    public static func load(_ environment: BanquetCore.Environment) throws -> String {
        if let secret = environment.optionalString("BANQUET_JWT_SECRET") {
            guard secret.utf8.count >= minimumLength else {
                throw BanquetError.configuration("BANQUET_JWT_SECRET must be at least \(minimumLength) characters")
            }
            return secret
        }
        return try loadOrCreate(at: environment.dataDirectory + "/jwt-secret")
    }

    static func loadOrCreate(at path: String) throws -> String {
        let fileManager = FileManager.default
        if let data = fileManager.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret.utf8.count >= minimumLength else {
                throw BanquetError.configuration("\(path) holds a JWT secret shorter than \(minimumLength) characters")
            }
            return secret
        }
        let directory = (path as NSString).deletingLastPathComponent
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // 48 random bytes, hex: 96 characters, well above HS256's 256-bit key size.
        let secret = SymmetricKey(size: .init(bitCount: 384)).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        // Created exclusively so two daemons starting at once cannot write different secrets.
        guard fileManager.createFile(atPath: path + ".tmp", contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BanquetError.configuration("cannot write the JWT secret to \(path)")
        }
        if link(path + ".tmp", path) != 0 {
            try? fileManager.removeItem(atPath: path + ".tmp")
            return try loadOrCreate(at: path)  // another process won the race: use its secret
        }
        try? fileManager.removeItem(atPath: path + ".tmp")
        return secret
    }
}
