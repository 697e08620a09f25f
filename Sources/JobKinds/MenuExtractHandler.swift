import BanquetCore
import BridgeRuntime
import Connectors
import Foundation

/// `menu.extract`: an uploaded brochure → text (`pdftotext -layout`, size/page caps, timeout) →
/// the model, to the menu schema → validated → `save_menu_extraction`, an inactive draft menu for
/// a manager to review. A brochure that cannot be read (scanned, encrypted, corrupt, oversized) or
/// an organization over its AI budget completes the job with that status on the document: an
/// answer, not an error to retry.
public struct MenuExtractHandler: JobHandler {
    public static let kind = "menu.extract"
    /// How much brochure text goes to a model; a menu is far shorter.
    static let maxTextCharacters = 60_000

    let runner: AIJobRunner
    let extractor: any PDFTextExtractor
    /// Where `/storage/v1` keeps the brochure's bytes (local directory or S3).
    let storage: any ObjectStore

    public init(runner: AIJobRunner, extractor: any PDFTextExtractor, storage: any ObjectStore) {
        self.runner = runner
        self.extractor = extractor
        self.storage = storage
    }

    public struct Payload: Decodable, Sendable {
        var documentID: UUID
        var bucket: String
        var path: String

        enum CodingKeys: String, CodingKey {
            case documentID = "document_id"
            case bucket, path
        }
    }

    public var provider: String? { runner.providerKey }

    static func unreadable(_ status: String, _ detail: String) -> JobResult {
        .json(Data(JSONValue.object(["unreadable": .string(status), "detail": .string(detail)]).jsonText.utf8))
    }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let parts = (payload.bucket + "/" + payload.path).split(separator: "/")
        guard !parts.contains(".."), !payload.bucket.isEmpty, !payload.path.hasPrefix("/") else {
            throw JobFailure.permanent("menu.extract: storage path \(payload.bucket)/\(payload.path) is not a plain object name")
        }
        let bytes: [UInt8]?
        do {
            bytes = try await storage.read(bucket: payload.bucket, key: payload.path)
        } catch {
            throw JobFailure.retryable("menu.extract: storage unavailable: \(error)")
        }
        guard let bytes else {
            throw JobFailure.permanent("menu.extract: the brochure is not in storage (\(payload.bucket)/\(payload.path)); upload it again")
        }
        // pdftotext reads a file: a private temporary copy, removed whatever happens.
        let file = NSTemporaryDirectory() + "banquet-brochure-" + UUID().uuidString + ".pdf"
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw JobFailure.retryable("menu.extract: cannot write a temporary copy of the brochure")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text: String
        do {
            text = try await extractor.text(ofPDFAt: file)
        } catch let unreadable as PDFUnreadable {
            context.logger.info("brochure unreadable", metadata: ["status": "\(unreadable.status)", "document_id": "\(payload.documentID)"])
            return Self.unreadable(unreadable.status, unreadable.description)
        } catch {
            // The machinery failed (timeout, tool missing), not the brochure: worth another attempt.
            throw JobFailure.retryable("menu.extract: \(error)")
        }
        do {
            try await runner.admit(organizationID: job.tenantID)
        } catch let error as AIJobRunner.BudgetExceeded {
            return Self.unreadable("budget_exceeded", error.description)
        }
        let brochure = String(text.prefix(Self.maxTextCharacters))
        let answer = try await runner.run(
            task: .menuExtract, prompt: "menu_extract", values: ["text": brochure], data: .object(["text": .string(brochure)]),
            schema: AISchemas.menuExtraction, schemaName: "menu_extraction", maxOutputTokens: 8192,
            check: { answer in
                let items = (answer["sections"]?.array ?? []).flatMap { $0["items"]?.array ?? [] }
                return items.isEmpty && (answer["packages"]?.array ?? []).isEmpty ? ["no priced dish, drink or package was found"] : []
            },
            job: job, organizationID: job.tenantID, logger: context.logger)
        return .json(Data(ExtractedMenu.writeBack(answer).jsonText.utf8))
    }
}
