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
    /// `<BANQUET_DATA_DIR>/storage`: the local storage backend keeps `<bucket>/<object name>` under it.
    let storageRoot: String

    public init(runner: AIJobRunner, extractor: any PDFTextExtractor, storageRoot: String) {
        self.runner = runner
        self.extractor = extractor
        self.storageRoot = storageRoot
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
        let file = storageRoot + "/" + payload.bucket + "/" + payload.path
        guard FileManager.default.fileExists(atPath: file) else {
            throw JobFailure.permanent("menu.extract: the brochure is not in storage (\(payload.bucket)/\(payload.path)); upload it again")
        }
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
                let items = (answer["sections"]?.arrayValue ?? []).flatMap { $0["items"]?.arrayValue ?? [] }
                return items.isEmpty && (answer["packages"]?.arrayValue ?? []).isEmpty ? ["no priced dish, drink or package was found"] : []
            },
            job: job, organizationID: job.tenantID, logger: context.logger)
        return .json(Data(ExtractedMenu.writeBack(answer).jsonText.utf8))
    }
}
