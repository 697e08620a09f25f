import Foundation

/// A bucket's settings, as uploads and public reads need them.
struct BucketSettings: Sendable {
    var isPublic: Bool
    var fileSizeLimit: Int?
    var allowedMimeTypes: [String]?
    /// The largest limit of any bucket: with slack for multipart framing, the request body limit.
    var largestFileSizeLimit: Int?

    /// Storage's `validateMimeType`: `type/subtype` against the list, where `type/*` allows any
    /// subtype. Parameters (`; charset=…`) are ignored on both sides.
    func allows(mimeType: String) -> Bool {
        guard let allowed = allowedMimeTypes, !allowed.isEmpty else { return true }
        let requested = Self.essence(mimeType).split(separator: "/", maxSplits: 1)
        guard requested.count == 2 else { return false }
        return allowed.contains { entry in
            let candidate = Self.essence(entry).split(separator: "/", maxSplits: 1)
            guard candidate.count == 2, candidate[0] == requested[0] else { return false }
            return candidate[1] == "*" || candidate[1] == requested[1]
        }
    }

    static func essence(_ mimeType: String) -> String {
        (mimeType.split(separator: ";").first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }
}
