import BanquetCore
import BridgeRuntime
import Connectors
import Foundation

/// `llm.proposal_draft`: drafts a proposal from the inquiry and the venue's own spaces, menus and
/// packages. The model returns references and quantities only; its answer is rejected (after one
/// repair attempt) when a line names anything that is not this venue's, and the write-back
/// (`app.proposal_draft_writeback` → `app.price_ai_draft`) prices every line from the database and
/// rejects foreign ids again, so neither a confused model nor a guest's injected text can set a price.
public struct ProposalDraftHandler: JobHandler {
    public static let kind = "llm.proposal_draft"

    let runner: AIJobRunner

    public init(runner: AIJobRunner) {
        self.runner = runner
    }

    public struct Payload: Decodable, Sendable {
        var proposalID: UUID
        var instructions: String?

        enum CodingKeys: String, CodingKey {
            case proposalID = "proposal_id"
            case instructions
        }
    }

    public var provider: String? { runner.providerKey }

    public func perform(_ payload: Payload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        let data: JSONValue
        do {
            data = try await runner.store.proposalContext(payload.proposalID)
        } catch {
            throw JobFailure.permanent("llm.proposal_draft: cannot load proposal \(payload.proposalID): \(String(reflecting: error))")
        }
        guard let status = data["proposal"]?["status"]?.stringValue else {
            throw JobFailure.permanent("llm.proposal_draft: proposal \(payload.proposalID) not found")
        }
        guard status == "generating" else {
            throw JobFailure.permanent("llm.proposal_draft: proposal \(payload.proposalID) is \(status), not generating; nothing to draft")
        }
        let organizationID = data["proposal"]?["organization_id"]?.stringValue.flatMap(UUID.init(uuidString:)) ?? job.tenantID
        do {
            try await runner.admit(organizationID: organizationID)
        } catch let error as AIJobRunner.BudgetExceeded {
            throw JobFailure.permanent(error.description)
        }

        let menuItemIDs = Set((data["menus"]?.array ?? []).flatMap { $0["items"]?.array ?? [] }.compactMap { $0["id"]?.stringValue })
        let packageIDs = Set((data["packages"]?.array ?? []).compactMap { $0["id"]?.stringValue })
        guard !menuItemIDs.isEmpty || !packageIDs.isEmpty else {
            throw JobFailure.permanent("llm.proposal_draft: the venue has no active menu items or packages to draft from")
        }
        var inquiry = data["inquiry"] ?? .null
        let guestMessage = inquiry["message"]?.stringValue ?? ""
        if case .object(var fields) = inquiry {
            // The message travels separately, delimited as untrusted data.
            fields["message"] = nil
            inquiry = .object(fields)
        }
        let values = [
            "venue": (data["venue"] ?? .null).jsonText, "inquiry": inquiry.jsonText,
            "spaces": (data["spaces"] ?? .array([])).jsonText, "menus": Self.menusForPrompt(data["menus"]).jsonText,
            "packages": Self.packagesForPrompt(data["packages"]).jsonText,
            "instructions": payload.instructions ?? "none", "guest_message": guestMessage,
        ]
        let answer = try await runner.run(
            task: .proposalDraft, prompt: "proposal_draft", values: values, data: data, schema: AISchemas.proposalDraft,
            schemaName: "proposal_draft", check: { Self.problems(in: $0, menuItemIDs: menuItemIDs, packageIDs: packageIDs) },
            job: job, organizationID: organizationID, logger: context.logger)

        let lines: [JSONValue] = answer["items"]?.array.map { line in
            var reference: [String: JSONValue] = ["quantity": line["quantity"] ?? .number(1)]
            if let id = line["menu_item_id"]?.stringValue { reference["menu_item_id"] = .string(id) }
            if let id = line["package_id"]?.stringValue { reference["package_id"] = .string(id) }
            return .object(reference)
        } ?? []
        let result: JSONValue = .object(["title": answer["title"] ?? .null, "notes": answer["notes"] ?? .null, "items": .array(lines)])
        // `make run` shows this: the draft goes to staff for review, priced by the write-back.
        context.logger.info("proposal drafted for review", metadata: [
            "proposal_id": "\(payload.proposalID)", "title": "\(answer["title"]?.stringValue ?? "")", "lines": "\(lines.count)",
            "provider": "\(runner.generator.provider.name)",
        ])
        return .json(Data(result.jsonText.utf8))
    }

    /// Every line names exactly one of the venue's menu items or packages.
    static func problems(in answer: JSONValue, menuItemIDs: Set<String>, packageIDs: Set<String>) -> [String] {
        var problems: [String] = []
        for (index, line) in (answer["items"]?.array ?? []).enumerated() {
            let item = line["menu_item_id"]?.stringValue
            let package = line["package_id"]?.stringValue
            switch (item, package) {
            case (let id?, nil) where !menuItemIDs.contains(id.lowercased()):
                problems.append("items[\(index)].menu_item_id \(id) is not one of this venue's menu items")
            case (nil, let id?) where !packageIDs.contains(id.lowercased()):
                problems.append("items[\(index)].package_id \(id) is not one of this venue's packages")
            case (nil, nil), (.some, .some):
                problems.append("items[\(index)] must reference exactly one menu item or one package")
            default:
                break
            }
        }
        return problems
    }

    /// What the model needs to choose. Prices are shown so it can respect the guest's budget; what
    /// it answers carries none, and the write-back prices from the database regardless.
    static func menusForPrompt(_ menus: JSONValue?) -> JSONValue {
        .array((menus?.array ?? []).map { menu in
            .object(["name": menu["name"] ?? .null, "items": .array((menu["items"]?.array ?? []).map { item in
                .object(["id": item["id"] ?? .null, "name": item["name"] ?? .null, "course": item["course"] ?? .null,
                         "unit": item["unit"] ?? .null, "price_minor": item["price_minor"] ?? .null, "dietary": item["dietary"] ?? .array([])])
            })])
        })
    }

    static func packagesForPrompt(_ packages: JSONValue?) -> JSONValue {
        .array((packages?.array ?? []).map { package in
            .object(["id": package["id"] ?? .null, "name": package["name"] ?? .null,
                     "description": package["description"] ?? .null,
                     "price_per_guest_minor": package["price_per_guest_minor"] ?? .null, "min_guests": package["min_guests"] ?? .null])
        })
    }
}
