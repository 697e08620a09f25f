import Foundation

/// `supabase/migrations/<14-digit version>_<name>.sql`, named the way the Supabase CLI expects.
public struct MigrationFile: Sendable, Equatable {
    public var version: String
    public var name: String
    public var file: SQLFile

    /// `20261121000200_tenancy.sql` → ("20261121000200", "tenancy"); nil for any other shape.
    public static func parseFileName(_ fileName: String) -> (version: String, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        let digits = stem.prefix(14)
        let rest = stem.dropFirst(14)
        guard digits.count == 14, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              rest.first == "_", rest.count > 1,
              rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else { return nil }
        return (String(digits), String(rest.dropFirst()))
    }

    /// Every migration in `directory`, in version order. A `.sql` file with another name shape,
    /// or two files with one version, is an error; files that are not `.sql` are left alone.
    public static func load(from directory: URL) throws(MigrationError) -> [MigrationFile] {
        let displayDirectory = directory.relativePath
        var migrations: [MigrationFile] = []
        for fileName in try SQLFile.fileNames(in: directory, displayDirectory: displayDirectory) where fileName.hasSuffix(".sql") {
            guard let (version, name) = parseFileName(fileName) else {
                throw .invalidFileName(path: displayDirectory + "/" + fileName)
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw .duplicateVersion(version: version, files: [clash.file.fileName, fileName])
            }
            let file = try SQLFile.read(fileName: fileName, in: directory, displayDirectory: displayDirectory)
            migrations.append(MigrationFile(version: version, name: name, file: file))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
